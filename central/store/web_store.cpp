#include "central/store/web_store.h"

namespace nafitha::central {

Result<std::unique_ptr<WebStore>> open_sqlite_web_store(const std::filesystem::path& data_dir);
Result<std::unique_ptr<WebStore>> open_postgres_web_store(const std::string& url);

Result<std::unique_ptr<WebStore>> open_web_store(const StoreLocation& location)
{
    if (location.is_postgres())
        return open_postgres_web_store(location.url);
    return open_sqlite_web_store(location.data_dir);
}

} // namespace nafitha::central
