#pragma once
// A bounded pool of worker threads: a fixed number of threads and a queue with a cap. try_submit() never
// blocks; a full queue is the caller's signal to answer 503 (overload must not grow memory or latency
// without bound).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nafitha::central::front {

class WorkPool {
public:
    WorkPool(std::string name, size_t threads, size_t max_queue);
    ~WorkPool();
    WorkPool(const WorkPool&) = delete;
    WorkPool& operator=(const WorkPool&) = delete;

    // False when the queue is full or the pool is stopping.
    bool try_submit(std::function<void()> task);
    // Runs what is queued, then joins the threads.
    void stop();

    size_t queued() const;
    size_t busy() const;
    size_t threads() const { return m_threads.size(); }

private:
    void run();

    std::string m_name;
    size_t m_max_queue;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_queue;
    size_t m_busy = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace nafitha::central::front
