#include "kiosk/app/visit_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace nafitha::app {

VisitLock::VisitLock(const std::filesystem::path& data_dir)
{
    m_fd = ::open((data_dir / "visit.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

VisitLock::~VisitLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool VisitLock::hold(bool visit_open)
{
    if (m_fd < 0)
        return true; // no data folder to lock in: nothing to coordinate with
    if (visit_open == m_held)
        return true;
    if (!visit_open) {
        ::flock(m_fd, LOCK_UN);
        m_held = false;
        return true;
    }
    m_held = ::flock(m_fd, LOCK_SH | LOCK_NB) == 0;
    return m_held;
}

bool replaced_on_disk()
{
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return false;
    std::string_view path(buf, static_cast<size_t>(n));
    return path.ends_with(" (deleted)");
}

} // namespace nafitha::app
