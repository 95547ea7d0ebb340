#include "kiosk/app/app.h"
#include "kiosk/app/visit_lock.h"

#include "base/clock.h"
#include "base/fs.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/paths.h"
#include "devices/scanner.h"
#include "kiosk/app/terminal_backend.h"
#include "kiosk/app/unavailable_backend.h"
#include "kiosk/ui/host.h"
#include "kiosk/ui/kiosk_ui.h"
#include "kiosk/ui/replay.h"
#include "kiosk/ui/demo.h"
#include "kiosk/ui/screens.h"
#include "kiosk/ui/voice.h"
#include "sync/client/config.h"
#include "sync/client/provision.h"

#include <SDL.h>

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

namespace nafitha::app {

namespace {

struct Options {
    std::string data_dir;
    Lang lang = Lang::Ar;
    bool lang_given = false;
    // First run: a terminal that is not enrolled starts on the technician's set-up screen. On by default for a
    // window or the kiosk session; headless runs (tests, screenshots) ask for it with --first-run.
    std::optional<bool> first_run;
    std::string ca_file;
    int width = 1080, height = 1920;
    bool size_given = false;
    bool fullscreen = false;
    bool headless = false;
    bool list_screens = false;
    std::string screen;
    std::string screenshot;
    std::string replay;
    std::string out_dir;
    std::string printer = "sim";
    bool paper_out = false;
    bool dev_staff = false;
    std::vector<int64_t> cash_wallet; // --cash-wallet
    bool voice = true;                 // --voice on|off: spoken guidance at the start of every visit
    bool sync = true;
    bool high_contrast = false;
    bool large_text = false;
    double idle_timeout = 60;
    int frames = 0; // windowed: quit after N frames (0 = run until closed)
    bool first_frame_exit = false;
};

Result<Options> parse(const std::vector<std::string>& args)
{
    Options o;
    auto need = [&](size_t& i) -> Result<std::string> {
        if (i + 1 >= args.size())
            return Error::make("error.args", args[i] + " needs a value");
        return args[++i];
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--data")
            o.data_dir = TRY(need(i));
        else if (a == "--lang") {
            o.lang = TRY(parse_lang(TRY(need(i))));
            o.lang_given = true;
        } else if (a == "--first-run")
            o.first_run = true;
        else if (a == "--no-first-run")
            o.first_run = false;
        else if (a == "--ca")
            o.ca_file = TRY(need(i));
        else if (a == "--size") {
            std::string v = TRY(need(i));
            if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 200 || o.height < 200 || o.width > 7680 ||
                o.height > 7680)
                return Error::make("error.args", "--size is WxH, 200 to 7680 pixels each");
            o.size_given = true;
        } else if (a == "--fullscreen")
            o.fullscreen = true;
        else if (a == "--headless")
            o.headless = true;
        else if (a == "--list-screens")
            o.list_screens = true;
        else if (a == "--screen")
            o.screen = TRY(need(i));
        else if (a == "--screenshot")
            o.screenshot = TRY(need(i));
        else if (a == "--replay")
            o.replay = TRY(need(i));
        else if (a == "--out")
            o.out_dir = TRY(need(i));
        else if (a == "--printer")
            o.printer = TRY(need(i));
        else if (a == "--simulate-paper-out")
            o.paper_out = true;
        else if (a == "--dev-staff")
            o.dev_staff = true;
        else if (a == "--voice") {
            std::string v = TRY(need(i));
            if (v != "on" && v != "off")
                return Error::make("error.args", "--voice is on or off");
            o.voice = v == "on";
        }
        else if (a == "--cash-wallet") {
            // N,N,...: the simulated citizen's notes in minor units.
            std::string list = TRY(need(i));
            size_t at = 0;
            while (at <= list.size()) {
                size_t comma = list.find(',', at);
                std::string part = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
                int64_t v = 0;
                auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
                if (ec != std::errc() || end != part.data() + part.size() || v <= 0 || o.cash_wallet.size() >= 100)
                    return Error::make("error.args", "--cash-wallet takes up to 100 positive amounts N,N,...");
                o.cash_wallet.push_back(v);
                if (comma == std::string::npos)
                    break;
                at = comma + 1;
            }
        }
        else if (a == "--no-sync")
            o.sync = false;
        else if (a == "--high-contrast")
            o.high_contrast = true;
        else if (a == "--large-text")
            o.large_text = true;
        else if (a == "--idle-timeout") {
            o.idle_timeout = std::atof(TRY(need(i)).c_str());
            if (o.idle_timeout < 5 || o.idle_timeout > 3600)
                return Error::make("error.args", "--idle-timeout is 5 to 3600 seconds");
        } else if (a == "--exit-after-first-frame")
            o.first_frame_exit = true;
        else if (a == "--frames")
            o.frames = std::atoi(TRY(need(i)).c_str());
        else
            return Error::make("error.args", "unknown option " + a);
    }
    if (!o.screenshot.empty() && o.screen.empty())
        o.screen = "attract";
    if ((!o.screenshot.empty() || !o.replay.empty()) && !o.headless && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY"))
        o.headless = true;
    return o;
}

// A data folder made for one headless run when none is given, removed at exit.
struct TempDir {
    std::filesystem::path path;
    ~TempDir()
    {
        if (!path.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    }
};

} // namespace

std::string usage()
{
    return "nafitha-kiosk " NAFITHA_VERSION " — the Nafitha citizen and office terminal\n\n"
           "usage: nafitha-kiosk [OPTIONS]\n"
           "  --data DIR              terminal data folder (terminal.db, keys, sync.json); default ./nafitha-data\n"
           "  --lang ar|en            start language (default: the one chosen at set-up, else Arabic)\n"
           "  --first-run, --no-first-run   a terminal that is not enrolled starts on the technician's set-up\n"
           "                          screen (default: on, except headless)\n"
           "  --ca FILE               PEM bundle central's TLS certificate must chain to (set-up over https)\n"
           "  --size WxH              window or screenshot size (default 1080x1920, portrait)\n"
           "  --fullscreen            full screen, no cursor (kiosk session)\n"
           "  --headless              no window: software rendering off screen\n"
           "  --list-screens          print every screen name, one a line\n"
           "  --screen NAME           start on NAME with demo data (with --screenshot)\n"
           "  --screenshot FILE.png   headless: render the screen and write a PNG\n"
           "  --replay FILE           run a scripted session (taps, drags, typing, waits, screenshots)\n"
           "  --out DIR               where replay screenshots and printed pages go\n"
           "  --printer sim|ADDRESS   receipt printer: the built-in simulator, tcp://HOST:PORT or /dev/usb/lp0\n"
           "  --simulate-paper-out    the simulated printer has no paper (out-of-service check)\n"
           "  --dev-staff             create staff clerk1 (PIN 1234) and tech1 (PIN 9876) if there is no staff\n"
           "  --cash-wallet N,N,...   the simulated citizen's banknotes (minor units), then nothing more\n"
           "  --voice on|off          spoken guidance when a visit starts (default on; the speaker toggles it)\n"
           "  --idle-timeout SECONDS  idle time before 'are you still there?' (default 60; then 15 s)\n"
           "  --high-contrast, --large-text   accessibility modes from the start\n"
           "  --no-sync               do not start the sync worker\n"
           "  --frames N              quit after N frames; --exit-after-first-frame prints 'first-frame' and quits\n"
           "  --version, --help\n"
           "Staff login: hold the emblem on the start screen for two seconds.\n";
}

int run(const std::vector<std::string>& args)
{
    for (const auto& a : args) {
        if (a == "--version") {
            std::cout << "nafitha-kiosk " NAFITHA_VERSION "\n";
            return 0;
        }
        if (a == "--help" || a == "-h") {
            std::cout << usage();
            return 0;
        }
    }
    auto parsed = parse(args);
    if (!parsed.ok()) {
        std::cerr << "nafitha-kiosk: " << parsed.error().detail << "\n\n" << usage();
        return 2;
    }
    Options o = parsed.release_value();
    if (o.list_screens) {
        for (const auto& s : ui::demo_states())
            std::cout << s.name << "\n";
        return 0;
    }
    auto i18n = I18n::load(paths::assets_dir());
    if (!i18n.ok()) {
        std::cerr << "nafitha-kiosk: translations: " << i18n.error().to_string() << "\n";
        return 1;
    }
    TempDir temp;
    std::filesystem::path data = o.data_dir;
    if (data.empty()) {
        if (o.headless) {
            std::string tmpl = (std::filesystem::temp_directory_path() / "nafitha-kiosk-XXXXXX").string();
            if (!::mkdtemp(tmpl.data())) {
                std::cerr << "nafitha-kiosk: cannot make a temporary data folder\n";
                return 1;
            }
            temp.path = tmpl;
            data = tmpl;
        } else {
            data = "nafitha-data";
        }
    }
    if (!o.out_dir.empty()) {
        auto made = fs::ensure_dir(o.out_dir);
        if (!made.ok()) {
            std::cerr << "nafitha-kiosk: " << made.error().to_string() << "\n";
            return 1;
        }
    }
    BackendOptions bo;
    bo.data_dir = data;
    bo.printer = o.printer;
    if (!o.ca_file.empty())
        bo.ca_file = std::filesystem::absolute(o.ca_file).string();
    bo.sim_paper = o.paper_out ? PrinterPaper::Out : PrinterPaper::Loaded;
    bo.dev_staff = o.dev_staff || !temp.path.empty() ? DevStaff::Create : DevStaff::None;
    bo.start_sync = o.sync && o.screenshot.empty();
    bo.cash_note_delay_ms = o.headless ? 0 : 700;
    bo.cash_wallet = o.cash_wallet;
    if (!o.out_dir.empty())
        bo.printed_dir = o.out_dir;
    auto made = make_terminal_backend(bo, *i18n);
    const bool made_ok = made.ok();
    std::unique_ptr<ui::Backend> backend_owner;
    if (!made.ok()) {
        // A kiosk that cannot open its terminal says so on screen (out of service) rather than exiting to a
        // black screen; screenshots and replays, which need a working terminal, fail instead.
        std::cerr << "nafitha-kiosk: " << i18n->message(Lang::Ar, made.error()) << "\n"
                  << "nafitha-kiosk: " << i18n->message(Lang::En, made.error()) << " (" << made.error().to_string() << ")\n";
        if (!o.screenshot.empty() || !o.replay.empty())
            return 1;
        backend_owner = make_unavailable_backend(made.release_error());
    } else {
        backend_owner = made.release_value();
    }
    std::unique_ptr<ui::Backend>* backend = &backend_owner;

    ui::HostOptions ho;
    ho.width = o.width;
    ho.height = o.height;
    ho.display = o.headless ? ui::Display::Headless : (o.fullscreen ? ui::Display::Fullscreen : ui::Display::Window);
    if (!o.headless && !o.size_given && !o.fullscreen) {
        // A development window: the portrait kiosk at half size.
        ho.width = 540;
        ho.height = 960;
    }
    auto host = ui::Host::create(ho);
    if (!host.ok()) {
        std::cerr << "nafitha-kiosk: display: " << host.error().to_string() << "\n";
        return 1;
    }
    auto labels = ui::make_shaped_labels((*host)->renderer());
    if (!labels) {
        std::cerr << "nafitha-kiosk: the text engine could not start (fonts missing?)\n";
        return 1;
    }
    // Headless runs are deterministic with tasks run inline, except with a cash wallet: a simulated citizen who
    // stops giving notes waits for a cancel tapped on screen, which needs the payment on its own thread (as in
    // production).
    ui::Worker worker(o.headless && o.cash_wallet.empty() ? ui::Worker::Mode::Inline : ui::Worker::Mode::Threaded);
    ui::Theme theme = ui::Theme::load(paths::assets_dir());
    if (o.high_contrast)
        theme.contrast = ui::Contrast::High;
    if (o.large_text)
        theme.text_size = ui::TextSize::Large;
    ui::KioskUi kiosk(*i18n, **backend, *labels, worker, theme);
    // The language chosen at set-up is where every visit starts, unless --lang says otherwise.
    if (!o.lang_given) {
        if (auto record = sync::load_provision(data); record.ok() && record->has_value())
            o.lang = (*record)->language;
    }
    kiosk.ctx().lang = kiosk.ctx().home_lang = o.lang;
    kiosk.ctx().idle_timeout_s = o.idle_timeout;
    // A terminal that is not enrolled boots into the technician's first-run set-up (not on screenshots, which
    // show the screen they name, nor on a terminal that cannot open its database).
    const bool first_run = o.first_run.value_or(!o.headless) && o.screenshot.empty() && o.screen.empty() && made_ok &&
                           !sync::load_config(data).ok();
    if (first_run)
        kiosk.start_first_run();
    kiosk.ctx().voice_default = kiosk.ctx().voice_on = o.voice;
    // Spoken guidance through the host's audio (a window only: headless runs stay silent).
    std::unique_ptr<ui::Voice> voice;
    if (!o.headless) {
        ui::Host* h = host->get();
        voice = std::make_unique<ui::Voice>([h](ui::Speech&& s) { h->play(s.samples.data(), s.samples.size(), s.rate); });
        kiosk.ctx().voice = voice.get();
    }
    ui::Runner runner(**host, kiosk, *labels, worker);

    if (!o.screenshot.empty()) {
        if (!kiosk.show_demo(o.screen)) {
            std::cerr << "nafitha-kiosk: unknown screen " << o.screen << " (see --list-screens)\n";
            return 2;
        }
        kiosk.ctx().lang = o.lang;
        // A few frames: the first lays text out and fills the glyph atlas.
        for (int i = 0; i < 3; ++i)
            runner.frame();
        auto shot = (*host)->screenshot(o.screenshot);
        if (!shot.ok()) {
            std::cerr << "nafitha-kiosk: " << shot.error().to_string() << "\n";
            return 1;
        }
        return 0;
    }
    if (!o.replay.empty()) {
        std::ifstream script(o.replay);
        if (!script) {
            std::cerr << "nafitha-kiosk: cannot read " << o.replay << "\n";
            return 1;
        }
        std::filesystem::path out = o.out_dir.empty() ? std::filesystem::path(".") : std::filesystem::path(o.out_dir);
        // A replay is one scripted visit: an update waits for it as for a citizen's.
        VisitLock visit_lock(data);
        (void)visit_lock.hold(true);
        auto r = ui::run_replay(runner, script, out, std::cerr);
        worker.drain();
        worker.apply_completions();
        if (!r.ok()) {
            std::cerr << "nafitha-kiosk: replay failed: " << r.error().detail << "\n";
            return 1;
        }
        std::cerr << "nafitha-kiosk: replay done; screen " << ui::screen_name(kiosk.ctx().screen) << "\n";
        return 0;
    }
    if (!o.screen.empty() && !kiosk.show_demo(o.screen)) {
        std::cerr << "nafitha-kiosk: unknown screen " << o.screen << "\n";
        return 2;
    }
    if (!o.screen.empty())
        kiosk.ctx().demo = false;

    // The interactive loop: about 60 frames a second; background results land at the start of a frame.
    int64_t start = clock::monotonic_ns();
    int64_t last = start;
    int frames = 0;
    // A keyboard-wedge scanner types far faster and more evenly than a person: scans go to tracking, typing to
    // the focused field.
    devices::WedgeDetector wedge;
    VisitLock visit_lock(data);
    bool waiting_for_update = false;
    int64_t frames_at_attract = 0;
    while ((*host)->pump_events()) {
        int64_t now = clock::monotonic_ns();
        auto deliver = [&](devices::WedgeDetector::Verdict v) {
            if (v == devices::WedgeDetector::Verdict::Scanned)
                kiosk.on_scan(wedge.scan());
            else if (v == devices::WedgeDetector::Verdict::Typed)
                kiosk.on_typed(wedge.typed());
        };
        for (const auto& k : (*host)->take_keys()) {
            if (k.ch == U'\b') {
                deliver(wedge.tick(k.time_ns + 1'000'000'000));
                kiosk.on_typed(U"\b");
                continue;
            }
            deliver(wedge.key(k.ch, k.time_ns));
        }
        deliver(wedge.tick(now));
        float dt = static_cast<float>(now - last) / 1e9f;
        last = now;
        (*host)->begin_frame(dt);
        kiosk.build_frame((*host)->size(), static_cast<double>(now - start) / 1e9);
        (*host)->end_frame(*labels, ui::Host::Raster::Yes, kiosk.ctx().pal().background);
        // Updates and visits (kiosk/app/visit_lock.h): a visit holds the lock; none opens while an update
        // installs; a new version takes over on the attract screen, between visits.
        bool at_attract = kiosk.ctx().screen == ui::ScreenId::Attract;
        if (!visit_lock.hold(!at_attract)) {
            if (!waiting_for_update)
                std::cerr << "nafitha-kiosk: an update is being installed: the visit starts when it is done\n";
            waiting_for_update = true;
            kiosk.ctx().end_visit();
        } else {
            waiting_for_update = false;
        }
        if (at_attract && ++frames_at_attract % 300 == 0 && !o.headless && replaced_on_disk()) {
            std::cerr << "nafitha-kiosk: a new version is installed: restarting into it between visits\n";
            break;
        }
        if (o.first_frame_exit) {
            // For the startup benchmark: the first frame is on screen.
            std::cout << "first-frame" << std::endl;
            break;
        }
        if (o.frames > 0 && ++frames >= o.frames)
            break;
        int64_t spent = clock::monotonic_ns() - now;
        int64_t budget = 16'000'000;
        if (spent < budget)
            SDL_Delay(static_cast<Uint32>((budget - spent) / 1'000'000));
    }
    worker.drain();
    return 0;
}

} // namespace nafitha::app
