#include "http/server.hpp"

#include <sys/socket.h>

#include <httplib.h>

#include "base/log.hpp"
#include "http/errors.hpp"
#include "http/routes.hpp"

namespace af::http {

namespace {

std::string describe_status(int status) {
  switch (status) {
    case 400:
      return "malformed HTTP request";
    case 404:
      return "not found";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long (limit 8192 bytes)";
    case 416:
      return "bad Range header";
    default:
      return "HTTP error " + std::to_string(status);
  }
}

// httplib 0.11 keeps a connection open whatever the response says; the only way to close it
// from a handler is a content provider that reports failure after writing the whole body.
void close_after(httplib::Response& res) {
  auto body = std::make_shared<std::string>(std::move(res.body));
  const std::string type = res.get_header_value("Content-Type");
  res.body.clear();
  res.set_header("Connection", "close");
  res.set_content_provider(body->size(), type.empty() ? "application/json" : type,
                           [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                             sink.write(body->data() + offset, body->size() - offset);
                             return false;
                           });
}

bool unrouted_method(const std::string& m) {
  if (m.empty() || m.size() > 32) return false;
  for (char c : m)
    if (c < 'A' || c > 'Z') return false;
  for (const char* known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
    if (m == known) return false;
  return true;
}

}  // namespace

struct server::impl {
  server_context ctx;
  cursor_codec cursors;
  route_deps deps{ctx, cursors};  // routes keep references to it: it lives as long as they do
  router routes;
  httplib::Server svr;
  std::thread thread;
  std::atomic<int> listen_fd{-1};
  std::atomic<bool> stopping{false};
  bool started = false;
  bool stopped = false;

  explicit impl(server_context c) : ctx(std::move(c)), cursors(ctx.cursor_secret) {}

  void dispatch(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* reader);
  void configure();
};

void server::impl::dispatch(const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader* reader) {
  exchange ex(req, res, reader, ctx.opts.lim, &stopping);
  auto m = routes.match(req.method, req.path);
  result<response> out = error(
      errc::not_found, "no route for " + req.method + " " +
                           (req.path.size() > 200 ? req.path.substr(0, 200) + "..." : req.path));
  if (m.fn) {
    const bool api = req.path.rfind("/v1/", 0) == 0;
    if (api && !ctx.client->ready()) {
      out = error(errc::not_ready, "the node is replaying its log; try again shortly");
    } else {
      ex.set_params(std::move(m.params));
      out = (*m.fn)(ex);
    }
  } else if (m.path_known) {
    res.set_header("Allow", m.allow);
    out = error(errc::method_not_allowed, req.method + " is not allowed here; use " + m.allow);
  }
  // A body the route did not read must not be parsed as the next request on this connection.
  if (!ex.closing() && !ex.drain_body()) ex.close_connection();
  if (out) {
    res.status = out->status;
    for (auto& [k, v] : out->headers) res.set_header(k, v);
    if (out->body) res.set_content(dump(*out->body), "application/json");
  } else {
    if (out.error().code == errc::internal || out.error().code == errc::corruption)
      logger("http")->error("{} {}: {}", req.method, req.path, out.error().message);
    write_error(res, out.error());
  }
  if (ex.closing()) close_after(res);
}

void server::impl::configure() {
  const auto& o = ctx.opts;
  const std::size_t threads = o.http_threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(100000);
  svr.set_keep_alive_timeout(5);
  svr.set_read_timeout(
      std::chrono::seconds(5));  // also bounds how long a silent client delays shutdown
  svr.set_write_timeout(std::chrono::seconds(10));
  svr.set_payload_max_length(o.lim.body_bytes);
  // Remember the listening socket so start() can widen its backlog (compiled in at 5).
  svr.set_socket_options([this](socket_t fd) {
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd.store(fd);
  });

  auto plain = [this](const httplib::Request& req, httplib::Response& res) {
    dispatch(req, res, nullptr);
  };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) { dispatch(req, res, &reader); };
  // One catch-all per method with the shortest possible pattern; our router does the rest.
  svr.Get(".*", plain);
  svr.Options(".*", plain);
  svr.Post(".*", with_body);
  svr.Put(".*", with_body);
  svr.Patch(".*", with_body);
  svr.Delete(".*", with_body);

  // httplib's own answers (bad request line, 414, 413 on Content-Length...) in our shape.
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                httplib::Response& res) {
    // Our own answers carry a body (or stream one, see close_after): leave them alone.
    if (!res.body.empty() || res.content_provider_)
      return httplib::Server::HandlerResponse::Unhandled;
    error e(code_of_status(res.status), describe_status(res.status));
    int status = res.status;
    // httplib refuses methods it does not route (FOO, TRACE, CONNECT) with a 400; to a
    // client that is a 405 (DESIGN §9).
    if (status == 400 && unrouted_method(req.method) && req.version.rfind("HTTP/1.", 0) == 0) {
      status = 405;
      e = error(errc::method_not_allowed, "method " + req.method.substr(0, 32) + " is not allowed");
      res.set_header("Allow", "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
    }
    write_error(res, e);
    res.status = status;
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        logger("http")->error("{} {}: unhandled exception: {}", req.method, req.path.substr(0, 200),
                              what);
        write_error(res, error(errc::internal, "internal error"));
        res.set_header("Connection", "close");
      });
}

server::server(server_context ctx) : impl_(std::make_unique<impl>(std::move(ctx))) {}

server::~server() {
  stop();
}

result<std::uint16_t> server::start() {
  impl_->configure();
  add_ops_routes(impl_->routes, impl_->deps);
  add_workflow_routes(impl_->routes, impl_->deps);
  add_run_routes(impl_->routes, impl_->deps);
  const auto& o = impl_->ctx.opts;
  int port = o.listen_port;
  if (port == 0) {
    port = impl_->svr.bind_to_any_port(o.listen_host);
    if (port <= 0) return error(errc::unavailable, "cannot bind " + o.listen_host + ":0");
  } else if (!impl_->svr.bind_to_port(o.listen_host, port)) {
    return error(errc::unavailable, "cannot listen on " + o.listen() +
                                        " (in use by another process, or not a local address)");
  }
  if (int fd = impl_->listen_fd.load(); fd >= 0) ::listen(fd, 4096);
  impl_->started = true;
  impl_->thread = std::thread([this] { impl_->svr.listen_after_bind(); });
  // httplib's stop() is ignored until the listening thread marked itself running; wait for
  // that, so that a stop right after start (early SIGTERM, failed replay) cannot be lost.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!impl_->svr.is_running()) {
    if (std::chrono::steady_clock::now() > give_up)
      return error(errc::unavailable, "the HTTP server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return static_cast<std::uint16_t>(port);
}

void server::stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  impl_->svr.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace af::http
