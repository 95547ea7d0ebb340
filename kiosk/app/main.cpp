// nafitha-kiosk: the touch-screen terminal.

#include <cstring>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc >= 2 && (!std::strcmp(argv[1], "--version"))) {
        std::cout << "nafitha-kiosk " NAFITHA_VERSION "\n";
        return 0;
    }
    std::cout << "nafitha-kiosk " NAFITHA_VERSION " — the Nafitha citizen and office terminal\n\n"
                 "usage: nafitha-kiosk [OPTIONS]\n"
                 "  --help      this text\n  --version   the version\n";
    return argc >= 2 && !std::strcmp(argv[1], "--help") ? 0 : 2;
}
