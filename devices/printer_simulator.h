#pragma once
// A thermal printer simulator that speaks the real protocol over raw TCP (like port 9100): it parses the
// ESC/POS stream, answers DLE EOT status queries in real time, answers the GS ( H process-ID barrier once
// everything before it was processed, and hands every finished job (ESC @ ... GS V) to a callback.
// It can run out of paper (now, or after printing N more raster rows: the job pauses until paper is
// loaded, as a real printer does), have its cover open, and print slowly. One connection at a time.

#include "base/result.h"
#include "devices/escpos_stream.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::devices {

struct SimulatedJob {
    uint64_t number = 0;                   // 1, 2, 3... in print order
    std::vector<escpos::Command> commands; // from ESC @ to GS V, status queries excluded
};

enum class Paper { Loaded, Out };
enum class Cover { Closed, Open };

class PrinterSimulator {
public:
    using JobCallback = std::function<void(const SimulatedJob&)>;

    // Listens on `bind_address`:`port` (0 = a free port).
    static Result<std::unique_ptr<PrinterSimulator>> start(uint16_t port, JobCallback on_job,
                                                           std::string bind_address = "127.0.0.1");
    ~PrinterSimulator();
    PrinterSimulator(const PrinterSimulator&) = delete;
    PrinterSimulator& operator=(const PrinterSimulator&) = delete;

    uint16_t port() const { return m_port; }
    void set_paper(Paper paper);
    // Paper runs out after `rows` more raster rows (mid-job); 0 cancels.
    void paper_out_after_rows(uint32_t rows);
    void set_cover(Cover cover);
    // Reads at most this many bytes a second (0 = as fast as the network goes).
    void set_bytes_per_second(uint32_t rate);
    // Drops the connection in progress, as a power cut would (the partial job is lost in the printer).
    void drop_connection();
    // Drops the connection once `bytes` more bytes have been received: a power cut at an exact point of a
    // job, whatever the machine's speed. 0 cancels.
    void drop_connection_after_bytes(uint64_t bytes);

    uint64_t jobs_printed() const { return m_jobs_printed.load(); }
    uint64_t jobs_aborted() const { return m_jobs_aborted.load(); }
    bool paper_out() const { return m_paper_out.load(); }
    // Progress counters that tests wait on instead of sleeping.
    uint64_t status_queries() const { return m_status_queries.load(); }
    uint64_t bytes_received() const { return m_bytes_received.load(); }
    void stop();

private:
    PrinterSimulator() = default;
    void run();
    void serve(int fd);

    int m_listen_fd = -1;
    int m_wake_pipe[2] = {-1, -1};
    uint16_t m_port = 0;
    JobCallback m_on_job;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paper_out{false};
    std::atomic<uint32_t> m_paper_rows_left{0};
    std::atomic<bool> m_cover_open{false};
    std::atomic<uint32_t> m_rate{0};
    std::atomic<bool> m_drop{false};
    std::atomic<uint64_t> m_jobs_printed{0};
    std::atomic<uint64_t> m_jobs_aborted{0};
    std::atomic<uint64_t> m_drop_countdown{0};
    std::atomic<uint64_t> m_status_queries{0};
    std::atomic<uint64_t> m_bytes_received{0};
    std::thread m_thread;
};

} // namespace nafitha::devices
