#include "kiosk/ui/worker.h"

namespace nafitha::ui {

Worker::Worker(Mode mode) : m_mode(mode)
{
    if (m_mode == Mode::Threaded)
        m_thread = std::thread([this] { run(); });
}

Worker::~Worker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void Worker::post(Task task)
{
    if (m_mode == Mode::Inline) {
        Completion done = task();
        std::lock_guard lock(m_mutex);
        ++m_in_flight;
        m_done.push_back(std::move(done));
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_in_flight;
        m_tasks.push_back(std::move(task));
    }
    m_cv.notify_one();
}

void Worker::run()
{
    for (;;) {
        Task task;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stop || !m_tasks.empty(); });
            if (m_tasks.empty())
                return;
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
            ++m_running;
        }
        Completion done = task();
        {
            std::lock_guard lock(m_mutex);
            --m_running;
            m_done.push_back(std::move(done));
        }
        m_idle_cv.notify_all();
    }
}

void Worker::apply_completions()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_done.empty())
            return;
        m_applying.swap(m_done);
    }
    for (auto& d : m_applying) {
        if (d)
            d();
    }
    int applied = static_cast<int>(m_applying.size());
    m_applying.clear();
    std::lock_guard lock(m_mutex);
    m_in_flight -= applied;
}

int Worker::in_flight() const
{
    std::lock_guard lock(m_mutex);
    return m_in_flight;
}

void Worker::drain()
{
    std::unique_lock lock(m_mutex);
    m_idle_cv.wait(lock, [&] { return m_tasks.empty() && m_running == 0; });
}

} // namespace nafitha::ui
