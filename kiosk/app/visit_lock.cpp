#include "kiosk/app/visit_lock.h"

#include "base/log.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace nafitha::app {

VisitLock::VisitLock(const std::filesystem::path& data_dir)
    : m_path(data_dir / "visit.lock")
{
    open_file();
}

VisitLock::~VisitLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void VisitLock::open_file()
{
    m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0)
        m_error = std::strerror(errno);
}

bool VisitLock::hold(bool visit_open)
{
    // A lock file that could not be opened is tried again when the next visit opens (the data folder may have
    // been mended), not on every frame.
    if (m_fd < 0 && visit_open && !m_last_request)
        open_file();
    m_last_request = visit_open;
    if (m_fd < 0) {
        // The citizen is served anyway, but nothing keeps an update from interrupting the visit: say so loudly,
        // once (nafitha-ctl update refuses to install while it cannot take this lock itself).
        if (visit_open && !m_warned) {
            log::warn("kiosk", "cannot open the visit lock " + m_path.string() + " (" + m_error +
                                   "): visits are NOT protected from updates; check the data folder's owner and "
                                   "permissions (nafitha-ctl doctor)");
            m_warned = true;
        }
        return true;
    }
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
