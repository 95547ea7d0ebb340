#include "kiosk/app/unavailable_backend.h"

namespace nafitha::app {

namespace {

class UnavailableBackend final : public ui::Backend {
public:
    explicit UnavailableBackend(Error reason) : m_reason(std::move(reason)), m_catalogue(std::make_shared<ui::Catalogue>()) {}

    std::shared_ptr<const ui::Catalogue> catalogue() override { return m_catalogue; }
    const std::string& centre() const override { return m_centre; }
    ui::Health health() override { return ui::Health{{"ui.oos.db_readonly"}}; }
    Result<ui::PaymentRequest> take_payment(ui::PayMethod, int64_t, const std::string&, const CashProgress&,
                                            const std::atomic<bool>*) override
    {
        return m_reason;
    }
    Result<ui::Submitted> submit(const std::string&, const ui::FormValues&, const ui::PaymentRequest&, Lang) override
    {
        return m_reason;
    }
    Result<std::string> scan() override { return m_reason; }
    Result<ui::TrackedApplication> track(const std::string&) override { return m_reason; }
    Result<ui::PrintJob> reprint_receipt(const std::string&, Lang) override { return m_reason; }
    Result<ui::TakenTicket> take_ticket(const std::string&, Lang) override { return m_reason; }
    Result<void> record_survey(const std::string&, int, const std::vector<std::string>&) override { return m_reason; }
    Result<void> record_abandoned_visit(const std::string&, const std::string&, const std::string&) override { return m_reason; }
    Result<std::vector<services::StaffAccount>> staff_accounts() override { return m_reason; }
    Result<services::Session> staff_login(const std::string&, const std::string&) override { return m_reason; }
    void staff_logout() override {}
    Result<ui::QueueState> queue_state() override { return m_reason; }
    Result<ui::QueueState> queue_call_next() override { return m_reason; }
    Result<ui::QueueState> queue_recall() override { return m_reason; }
    Result<ui::QueueState> queue_no_show() override { return m_reason; }
    Result<std::vector<services::InboxItem>> inbox() override { return m_reason; }
    Result<services::DecisionOutcome> decide(services::DecisionRequest) override { return m_reason; }
    Result<services::Application> reverse_decision(const std::string&, const std::string&) override { return m_reason; }
    Result<services::Application> view_application(const std::string&) override { return m_reason; }
    Result<std::vector<services::SearchHit>> search(const std::string&) override { return m_reason; }
    Result<ui::PrintJob> reprint(const std::string&, Lang) override { return m_reason; }
    Result<services::DayTotals> day_totals(const std::string&) override { return m_reason; }
    Result<ui::Submitted> counter_submit(const std::string&, const ui::FormValues&, const ui::PaymentRequest&, Lang) override
    {
        return m_reason;
    }
    Result<services::CashMovement> drawer_move(services::DrawerMove, int64_t, const std::string&) override { return m_reason; }
    Result<services::ZClose> close_day(const std::string&, int64_t, Lang) override { return m_reason; }
    Result<services::PolicyState> policy_state() override { return m_reason; }
    Result<std::vector<services::UnsyncedItem>> unsynced() override { return m_reason; }
    Result<services::DayTotals> payments_today() override { return m_reason; }
    Result<void> print_z_report(Lang, const std::string&) override { return m_reason; }
    ui::SyncStatus sync_status() override { return {}; }
    void sync_now() override {}
    std::vector<ui::DeviceInfo> devices() override { return {{"ui.tech.device.disk", ui::DeviceState::Fault, "ui.oos.db_readonly"}}; }
    Result<void> test_print(Lang) override { return m_reason; }
    Result<std::string> test_scan() override { return m_reason; }
    Result<std::string> network_check() override { return m_reason; }
    Result<ui::NetworkInfo> network_info() override { return m_reason; }
    ui::ScanReading read_scan(const std::string& payload) override { return {"ui.tech.scan.kind.text", payload.substr(0, 40), true, payload.size()}; }
    Result<ui::ProvisionForm> read_enrollment_qr(const std::string&, Lang) override { return m_reason; }
    Result<ui::ProvisionOutcome> provision(const ui::ProvisionForm&) override { return m_reason; }
    std::vector<std::pair<std::string, std::string>> versions() override { return {{"ui.tech.version.app", NAFITHA_VERSION}}; }
    Result<std::string> export_logs() override { return m_reason; }

private:
    Error m_reason;
    std::shared_ptr<ui::Catalogue> m_catalogue;
    std::string m_centre;
};

} // namespace

std::unique_ptr<ui::Backend> make_unavailable_backend(Error reason)
{
    return std::make_unique<UnavailableBackend>(std::move(reason));
}

} // namespace nafitha::app
