#include "storage/backend.hpp"

#include "storage/keys.hpp"

namespace af::storage {

result<void> ensure_format(backend& store) {
  const auto key = keys::record_key(space::meta, keys::format_record);
  const auto expected = std::to_string(keys::format_version);
  auto found = store.get(key);
  if (!found) return found.error();
  if (*found) {
    if (**found == expected) return ok();
    // Only the first bytes: a damaged value must not make a huge message.
    return error{errc::failed_precondition, "the data dir has storage format version '" +
                                                found->value().substr(0, 16) +
                                                "' but this build reads only version " + expected +
                                                " (written by a newer or an unknown actorflow?)"};
  }
  bool empty = true;
  auto scanned = store.scan({}, {}, [&](std::string_view, std::string_view) {
    empty = false;
    return false;
  });
  if (!scanned) return scanned;
  if (!empty) {
    return error{errc::failed_precondition,
                 "the data dir holds data but no storage format record: not an actorflow event "
                 "log, or a damaged one"};
  }
  write_batch batch;
  batch.records.push_back({space::meta, std::string(keys::format_record), expected});
  return store.write({&batch}, /*sync=*/true);
}

}  // namespace af::storage
