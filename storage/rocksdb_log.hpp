#pragma once
// The durable event log: RocksDB under the group-commit writer of backend.hpp.

#include <memory>
#include <string>

#include "base/result.hpp"
#include "storage/event_log.hpp"

namespace rocksdb {
class FileSystem;
}

namespace af::storage {

class backend;

struct rocksdb_log_options {
  std::string path;                    // the log's own folder, e.g. <data_dir>/log; created
  durability mode = durability::sync;  // sync: every acknowledged batch's WAL is synced
  // Test hook: every file RocksDB opens goes through this file system (sync counting, faults).
  std::shared_ptr<rocksdb::FileSystem> file_system;
};

// Opens (creating if missing) the RocksDB database at options.path, checks or writes the
// format record (keys.hpp) and starts the writer thread. Errors: errc::unavailable when
// another process (or another log in this one) holds the data dir's lock;
// errc::failed_precondition for an unknown format version or a folder that is not an
// actorflow log; errc::io_error / errc::corruption for what RocksDB reports. Destroying the
// log stops the writer (answering everything queued), then closes the database.
result<std::unique_ptr<event_log>> open_rocksdb_log(const rocksdb_log_options& options);

// The same store without a writer (options.mode unused), for wrapping, e.g. in faulty_backend,
// before make_event_log(). Same errors as open_rocksdb_log.
result<std::unique_ptr<backend>> open_rocksdb_backend(const rocksdb_log_options& options);

}  // namespace af::storage
