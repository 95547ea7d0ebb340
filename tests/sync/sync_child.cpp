// A sync client process for the SIGKILL tests: one pass of the real worker code over DIR, then exit.
//   sync_child DIR BATCH_ENTRIES

#include "sync/client/worker.h"

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc < 3)
        return 2;
    nafitha::sync::SyncOptions options;
    options.data_dir = argv[1];
    options.batch_max_entries = static_cast<size_t>(std::atoi(argv[2]));
    options.http.connect_timeout_ms = 2000;
    options.http.transfer_timeout_ms = 10000;
    auto worker = nafitha::sync::SyncWorker::create(options, {});
    if (!worker.ok()) {
        std::cerr << worker.error().to_string() << "\n";
        return 1;
    }
    auto r = worker.value()->run_once();
    if (!r.ok()) {
        std::cerr << r.error().to_string() << "\n";
        return 1;
    }
    return 0;
}
