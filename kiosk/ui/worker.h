#pragma once
// The UI's background worker: database writes, devices, printing and sync run here, never on the UI thread.
// A task returns a completion that the UI thread applies at the start of the next frame.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace nafitha::ui {

class Worker {
public:
    using Completion = std::function<void()>;
    using Task = std::function<Completion()>;
    // Threaded: a background thread runs tasks in order. Inline: tasks run at post() (headless, deterministic
    // replays); their completions still wait for the next frame.
    enum class Mode { Threaded, Inline };

    explicit Worker(Mode mode);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void post(Task task);
    // UI thread, start of frame: runs every finished task's completion.
    void apply_completions();
    // Tasks posted and not yet applied.
    int in_flight() const;
    // Blocks until every posted task has finished (used before shutdown and by replays' "wait idle").
    void drain();

private:
    void run();

    Mode m_mode;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_idle_cv;
    std::deque<Task> m_tasks;
    std::deque<Completion> m_done;
    std::deque<Completion> m_applying; // swapped with m_done each frame: no new deque a frame
    int m_running = 0;
    int m_in_flight = 0;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace nafitha::ui
