// nafitha-kiosk: the touch-screen terminal.

#include "kiosk/app/app.h"

#include <string>
#include <vector>

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    return nafitha::app::run(args);
}
