// nafitha-ctl version: the versions of Nafitha and of the libraries it runs on, for technicians.

#include "installer/ctl/command.h"

#include "db/version.h"

#include <iostream>
#include <sodium.h>

static int run_version(nafitha::ctl::Args& args)
{
    if (auto extra = args.unused(); !extra.empty())
        return nafitha::ctl::usage_error("unexpected argument '" + extra.front() + "'");
    std::cout << "nafitha " NAFITHA_VERSION "\n"
              << "sqlite " << nafitha::db::sqlite_version() << "\n"
              << "libsodium " << sodium_version_string() << "\n";
    return 0;
}

NAFITHA_CTL_COMMAND(version, "version", "version     versions of Nafitha and its libraries", run_version);
