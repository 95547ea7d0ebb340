#pragma once
// Signed updates: central serves an apt repository of the packages it was given (nafitha-central updates
// publish FILE.deb), signed with the update-signing key whose public half the terminal package installs under
// /usr/share/keyrings/nafitha-updates.gpg. Debian's own tools do the work: dpkg-deb reads the package's fields,
// apt-ftparchive writes Packages and Release, gpg signs (InRelease, Release.gpg). Terminals fetch it with apt
// (sources entry with signed-by=), or from a USB bundle (a tar of the same signed repository) where there is no
// link. Layout, in central's data folder:
//   DIR/update-key/   the signing key's GnuPG home (0700; the secret key never leaves it)
//   DIR/updates/      the flat repository served under /updates/: InRelease, Release, Release.gpg, Packages,
//                     Packages.gz, pool/NAME_VERSION_ARCH.deb

#include "base/result.h"

#include <filesystem>
#include <string>
#include <vector>

namespace nafitha::central::updates {

std::filesystem::path repo_dir(const std::filesystem::path& data_dir);
std::filesystem::path key_dir(const std::filesystem::path& data_dir);

// Makes a new Ed25519 signing key in DIR/update-key (refused when one is there) and writes its public half as a
// binary keyring to `public_out` (what the terminal package installs). Returns the key's fingerprint.
Result<std::string> generate_key(const std::filesystem::path& data_dir, const std::filesystem::path& public_out);
// Imports a secret signing key exported elsewhere (gpg --export-secret-keys), refused when one is there.
Result<std::string> import_key(const std::filesystem::path& data_dir, const std::filesystem::path& secret_key);
// Writes the public half of the key in DIR/update-key as a binary keyring.
Result<std::string> export_public(const std::filesystem::path& data_dir, const std::filesystem::path& public_out);

struct Published {
    std::string package, version, architecture;
    std::filesystem::path pool_file;
    size_t packages_in_repo = 0;
};
// Adds FILE.deb (a nafitha-* package) to the repository and signs the new index. Publishing the same file again
// is harmless; a different file under the same name and version is refused.
Result<Published> publish(const std::filesystem::path& data_dir, const std::filesystem::path& deb);

// The repository as one tar file for a USB stick (nafitha-ctl update --bundle FILE checks its signature).
Result<void> bundle(const std::filesystem::path& data_dir, const std::filesystem::path& out);

// A path under /updates/ that may be served: one or two components (pool/NAME.deb), each of letters, digits
// and . _ + ~ - and not starting with a dot. Everything else is not found.
bool servable(std::string_view relative);

} // namespace nafitha::central::updates
