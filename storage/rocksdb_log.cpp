#include "storage/rocksdb_log.hpp"

#include <filesystem>
#include <system_error>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "base/log.hpp"
#include "storage/backend.hpp"
#include "storage/keys.hpp"

namespace af::storage {
namespace {

// The one place a rocksdb::Status becomes an af::error.
error to_error(const rocksdb::Status& s, std::string_view what) {
  auto message = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return error{errc::corruption, std::move(message)};
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsShutdownInProgress() ||
      s.IsIncomplete() || s.IsAborted()) {
    return error{errc::unavailable, std::move(message)};
  }
  return error{errc::io_error, std::move(message)};
}

class rocksdb_backend final : public backend {
 public:
  rocksdb_backend(std::unique_ptr<rocksdb::Env> env, std::unique_ptr<rocksdb::DB> db)
      : env_(std::move(env)), db_(std::move(db)) {}

  // The writer has stopped by now (make_event_log's log destroys its writer first).
  ~rocksdb_backend() override {
    if (auto s = db_->Close(); !s.ok()) {
      logger("storage")->error("closing the event log: {}", s.ToString());
    }
    db_.reset();  // before env_, which the database still uses while it shuts down
  }

  result<void> flush() override {
    rocksdb::FlushOptions options;
    options.wait = true;
    if (auto s = db_->Flush(options); !s.ok())
      return error(errc::io_error, "memtable flush failed: " + s.ToString());
    return {};
  }

  result<void> write(const std::vector<const write_batch*>& batches, bool sync) override {
    batch_.Clear();
    for (const auto* batch : batches) {
      for (const auto& e : batch->events) {
        key_.clear();
        value_.clear();
        keys::append_event_key(key_, e.stream, e.seq);
        keys::append_event_value(value_, e);
        if (auto s = batch_.Put(key_, value_); !s.ok()) return to_error(s, "log batch");
      }
      for (const auto& r : batch->records) {
        key_ = keys::record_key(r.where, r.key);
        auto s = r.value ? batch_.Put(key_, *r.value) : batch_.Delete(key_);
        if (!s.ok()) return to_error(s, "log batch");
      }
    }
    rocksdb::WriteOptions options;
    options.sync = sync;
    auto s = db_->Write(options, &batch_);
    // A 4 MiB group should not pin 4 MiB for the life of the node.
    if (batch_.GetDataSize() > (std::size_t{1} << 20)) batch_ = rocksdb::WriteBatch();
    if (!s.ok()) return to_error(s, "log write");
    return ok();
  }

  result<std::optional<std::string>> get(std::string_view key) override {
    rocksdb::PinnableSlice value;
    auto s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(),
                      rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>{};
    if (!s.ok()) return to_error(s, "log read");
    return std::optional<std::string>{value.ToString()};
  }

  result<void> scan(std::string_view lower, std::string_view upper, const scan_fn& fn) override {
    rocksdb::ReadOptions options;
    rocksdb::Slice bound(upper.data(), upper.size());
    if (!upper.empty()) options.iterate_upper_bound = &bound;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    for (it->Seek(rocksdb::Slice(lower.data(), lower.size())); it->Valid(); it->Next()) {
      auto k = it->key();
      auto v = it->value();
      if (!fn({k.data(), k.size()}, {v.data(), v.size()})) return ok();
    }
    if (!it->status().ok()) return to_error(it->status(), "log scan");
    return ok();
  }

 private:
  std::unique_ptr<rocksdb::Env> env_;  // only with an injected file system; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  // Reused by write(), which only the writer thread calls.
  rocksdb::WriteBatch batch_;
  std::string key_, value_;
};

rocksdb::Options make_options(rocksdb::Env* env) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 20;
  o.compression = rocksdb::kLZ4Compression;
  o.max_background_jobs = 2;
  o.keep_log_file_num = 5;  // RocksDB's own info LOG files, not the WAL
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (env) o.env = env;
  return o;
}

bool is_lock_error(const rocksdb::Status& s) {
  auto text = s.ToString();
  // "While lock file: <dir>/LOCK: ..." (another process) or "lock hold by current process
  // ... <dir>/LOCK: ..." (this one).
  return s.IsIOError() && text.find("/LOCK") != std::string::npos;
}

}  // namespace

result<std::unique_ptr<backend>> open_rocksdb_backend(const rocksdb_log_options& options) {
  if (options.path.empty()) return error{errc::invalid_argument, "the event log path is empty"};
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return error{errc::io_error,
                 "cannot create the event log folder " + options.path + ": " + ec.message()};
  }
  std::unique_ptr<rocksdb::Env> env;
  if (options.file_system) env = rocksdb::NewCompositeEnv(options.file_system);

  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(make_options(env.get()), options.path, &raw);
  if (!s.ok()) {
    if (is_lock_error(s)) {
      return error{errc::unavailable, "cannot open the event log at " + options.path +
                                          ": its lock is held (is another actorflow node using "
                                          "this data dir?): " +
                                          s.ToString()};
    }
    return to_error(s, "cannot open the event log at " + options.path);
  }
  auto store = std::make_unique<rocksdb_backend>(std::move(env), std::unique_ptr<rocksdb::DB>(raw));
  if (auto formatted = ensure_format(*store); !formatted) {
    auto e = std::move(formatted).error();
    e.message = "event log at " + options.path + ": " + e.message;
    return e;
  }
  return std::unique_ptr<backend>(std::move(store));
}

result<std::unique_ptr<event_log>> open_rocksdb_log(const rocksdb_log_options& options) {
  auto store = open_rocksdb_backend(options);
  if (!store) return store.error();
  return make_event_log(std::move(*store), options.mode);
}

}  // namespace af::storage
