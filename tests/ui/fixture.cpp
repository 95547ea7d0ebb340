#include "fixture.h"

#include "base/paths.h"
#include "kiosk/app/terminal_backend.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <sstream>

namespace nafitha::test {

std::unique_ptr<Kiosk> make_kiosk(int width, int height)
{
    auto k = std::make_unique<Kiosk>();
    static int counter = 0;
    k->dir = std::filesystem::temp_directory_path() /
             ("nafitha-ui-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(k->dir);
    auto i18n = I18n::load(paths::assets_dir());
    REQUIRE(i18n.ok());
    k->i18n = std::make_unique<I18n>(i18n.release_value());
    app::BackendOptions bo;
    bo.data_dir = k->dir / "data";
    bo.printed_dir = k->dir / "printed";
    bo.start_sync = false;
    auto backend = app::make_terminal_backend(bo, *k->i18n);
    if (!backend.ok())
        FAIL(backend.error().to_string());
    k->backend = backend.release_value();
    auto host = ui::Host::create(ui::HostOptions{width, height, ui::Display::Headless});
    if (!host.ok())
        FAIL(host.error().to_string());
    k->host = host.release_value();
    k->labels = ui::make_shaped_labels(k->host->renderer());
    REQUIRE(k->labels);
    k->worker = std::make_unique<ui::Worker>(ui::Worker::Mode::Inline);
    k->kiosk = std::make_unique<ui::KioskUi>(*k->i18n, *k->backend, *k->labels, *k->worker,
                                             ui::Theme::load(paths::assets_dir()));
    k->runner = std::make_unique<ui::Runner>(*k->host, *k->kiosk, *k->labels, *k->worker);
    return k;
}

std::string Kiosk::replay(const std::string& script)
{
    std::istringstream in(script);
    std::ostringstream log;
    auto r = ui::run_replay(*runner, in, dir, log);
    return r.ok() ? std::string() : r.error().detail + "\n" + log.str();
}

Kiosk::~Kiosk()
{
    runner.reset();
    kiosk.reset();
    worker.reset();
    labels.reset();
    host.reset();
    backend.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

} // namespace nafitha::test
