// nafitha-central: the central server (enrollment, ingest, verification, projections, indicators).

#include <cstring>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc >= 2 && (!std::strcmp(argv[1], "--version"))) {
        std::cout << "nafitha-central " NAFITHA_VERSION "\n";
        return 0;
    }
    std::cout << "nafitha-central " NAFITHA_VERSION " — the Nafitha central server\n\n"
                 "usage: nafitha-central COMMAND [OPTIONS]\n"
                 "  --help      this text\n  --version   the version\n";
    return argc >= 2 && !std::strcmp(argv[1], "--help") ? 0 : 2;
}
