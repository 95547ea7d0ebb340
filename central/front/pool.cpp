#include "central/front/pool.h"

#include "base/fatal_signal.h"
#include "base/log.h"

#include <exception>
#include <pthread.h>

namespace nafitha::central::front {

WorkPool::WorkPool(std::string name, size_t threads, size_t max_queue) : m_name(std::move(name)), m_max_queue(max_queue)
{
    for (size_t i = 0; i < std::max<size_t>(1, threads); ++i)
        m_threads.emplace_back([this] { run(); });
}

WorkPool::~WorkPool() { stop(); }

bool WorkPool::try_submit(std::function<void()> task)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_queue.size() >= m_max_queue)
            return false;
        m_queue.push_back(std::move(task));
    }
    m_cv.notify_one();
    return true;
}

void WorkPool::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && m_threads.empty())
            return;
        m_stopping = true;
    }
    m_cv.notify_all();
    for (auto& t : m_threads)
        if (t.joinable())
            t.join();
    m_threads.clear();
}

size_t WorkPool::queued() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

size_t WorkPool::busy() const
{
    std::lock_guard lock(m_mutex);
    return m_busy;
}

void WorkPool::run()
{
    fatal_signal::init_thread();
    pthread_setname_np(pthread_self(), m_name.substr(0, 15).c_str());
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return;
            task = std::move(m_queue.front());
            m_queue.pop_front();
            ++m_busy;
        }
        try {
            task();
        } catch (const std::exception& e) {
            log::error("central", std::string("a task of pool ") + m_name + " threw: " + e.what());
        } catch (...) {
            log::error("central", "a task of pool " + m_name + " threw");
        }
        std::lock_guard lock(m_mutex);
        --m_busy;
    }
}

} // namespace nafitha::central::front
