#pragma once
// The backend used when the terminal cannot start (its database cannot be opened or written, the disk is
// full): every screen shows "out of service" plainly instead of the kiosk dying into a black screen. Nothing
// is taken: every action fails with the reason.

#include "kiosk/ui/backend.h"

#include <memory>

namespace nafitha::app {

std::unique_ptr<ui::Backend> make_unavailable_backend(Error reason);

} // namespace nafitha::app
