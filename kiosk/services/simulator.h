#pragma once
// Realistic citizen visits through the same Terminal API the kiosk UI uses: choose a service available at
// the centre, fill its form with plausible data, maybe take a queue ticket and be served at a counter, pay
// (cash with change, card, or an exemption), maybe answer a survey. Used by `nafitha-ctl simulate`, the
// benchmarks and the fault tests.

#include "base/result.h"
#include "kiosk/services/terminal.h"

#include <cstdint>
#include <functional>
#include <random>
#include <string>

namespace nafitha::services {

struct VisitOutcome {
    std::string reference;          // the committed application
    std::string service_code;
    int64_t paid_minor = 0;
    bool ticket = false;
    bool survey = false;
};

// Plausible raw form values for `service` (what a citizen would type, sometimes in Arabic-Indic digits).
FormValues simulated_form(const Service& service, std::mt19937_64& rng);

class Simulator {
public:
    // `clerk_id`: the staff account used for counter visits (created by ensure_clerk()).
    Simulator(Terminal& terminal, uint64_t seed, int64_t clerk_id) : m_terminal(terminal), m_rng(seed), m_clerk(clerk_id) {}

    // The simulation clerk ("sim.clerk"), created on first use.
    static Result<int64_t> ensure_clerk(Terminal& terminal);

    Result<VisitOutcome> visit();

    // Closes today's cash drawer (a Z report) as the simulation supervisor ("sim.supervisor", created on first use),
    // declaring the cash the terminal computed plus `difference_minor` (at least 0): a counted drawer that is short
    // (negative) or over (positive).
    Result<ZClose> close_drawer(int64_t difference_minor);

    // Every n-th visit through the queue (0: never) is preceded by a ticket whose holder does not answer the
    // call: issued, called and marked no-show (the random draws of the visits stay the same).
    void no_show_every(int n) { m_no_show_every = n; }
    // Every `k`-th visit is preceded by another citizen who chose the same service and left at the form when the
    // idle timer fired (visit.abandoned). 0 (the default): none. Draws nothing from the random generator.
    void abandon_every(int k) { m_abandon_every = k; }

    // Called as soon as a visit's application is committed: the moment the kiosk shows the citizen the
    // reference, before the visit's later steps (serving the ticket, the survey), which may still fail.
    void on_committed(std::function<void(const std::string& reference, const std::string& service_code)> callback)
    {
        m_on_committed = std::move(callback);
    }

private:
    std::function<void(const std::string&, const std::string&)> m_on_committed;
    Terminal& m_terminal;
    std::mt19937_64 m_rng;
    int64_t m_clerk = 0;
    int m_no_show_every = 0;
    int64_t m_queued = 0;
    int64_t m_surveys = 0;
    int m_abandon_every = 0;
    int64_t m_visits = 0;
};

} // namespace nafitha::services
