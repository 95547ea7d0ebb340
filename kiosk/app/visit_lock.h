#pragma once
// An update never interrupts a citizen's visit: while a visit is open (any screen but the attract screen) the
// kiosk holds DATA/visit.lock shared; nafitha-ctl update takes it exclusively, so it waits for the visit to end,
// and while it installs no visit starts (the attract screen stays until it is done). After an update the kiosk
// restarts itself into the new version on its attract screen (systemd starts it again: Restart=always).

#include <filesystem>
#include <string>

namespace nafitha::app {

class VisitLock {
public:
    explicit VisitLock(const std::filesystem::path& data_dir);
    ~VisitLock();
    VisitLock(const VisitLock&) = delete;
    VisitLock& operator=(const VisitLock&) = delete;
    // Holds the lock while `visit_open`, lets it go otherwise. False when a visit wants to open but an update
    // holds the lock (the visit must wait).
    bool hold(bool visit_open);
    bool held() const { return m_held; }
    // False while the lock file cannot be opened (the data folder is missing or not writable): visits go on, but
    // unprotected; the first visit that opens so logs a warning (once).
    bool usable() const { return m_fd >= 0; }

private:
    void open_file();

    std::filesystem::path m_path;
    std::string m_error;
    int m_fd = -1;
    bool m_held = false;
    bool m_last_request = false;
    bool m_warned = false;
};

// True when the program file this process runs was replaced on disk (a package upgrade installed a new one).
bool replaced_on_disk();

} // namespace nafitha::app
