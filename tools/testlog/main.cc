// ctwatch-testlog: the test and demo CT log server (RFC 6962 and static-ct-api on loopback).
// Thin main: parses the command line, builds a TestLogServer, serves until SIGINT/SIGTERM.
// Thread-safety: signals are blocked in every thread and taken by sigwait in main.
#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "core/file.h"
#include "core/log.h"
#include "testlog/name_generator.h"
#include "testlog/test_log_server.h"

namespace {

using ctwatch::testlog::ServerOptions;
using ctwatch::testlog::TestLogServer;

int Run(int argc, char** argv) {
  ServerOptions options;
  std::string port_file, manifest, loglist_out, loglist_rfc6962_out, plant_file;
  std::string log_level = "info";
  std::vector<std::vector<std::string>> plant;  // one inner vector per --plant
  bool no_leaf_index = false;

  CLI::App app{
      "ctwatch-testlog: a Certificate Transparency test log on loopback. One growing corpus\n"
      "(real Merkle tree, real signatures) served over the RFC 6962 API (/rfc6962/ct/v1/) and\n"
      "the static-ct-api (/static/), with planted certificates, a manifest and injectable\n"
      "faults (POST /admin/fault). See tools/testlog/test_log_server.h for the endpoints."};
  app.add_option("--listen", options.listen_host, "Address to bind (loopback only)")
      ->capture_default_str();
  app.add_option("--port", options.port, "Port; 0 picks a free one")->capture_default_str();
  app.add_option("--port-file", port_file, "Write the port to this file once listening");
  app.add_flag("--allow-non-loopback", options.allow_non_loopback,
               "Allow binding a non-loopback address");
  app.add_option("--size", options.corpus.initial_size, "Initial number of entries")
      ->capture_default_str();
  app.add_option("--pool-size", options.corpus.pool_size,
                 "Distinct background certificates, cycled")
      ->capture_default_str();
  app.add_option("--seed", options.corpus.seed, "Seed for names and planted indices")
      ->capture_default_str();
  app.add_option("--plant", plant,
                 "Plant a precertificate and its certificate for these names (first = CN), "
                 "as separate words or one quoted space-separated argument; repeatable");
  app.add_option("--plant-file", plant_file, "File of name sets to plant, one per line");
  app.add_option("--malformed", options.corpus.planted_malformed,
                 "Plant this many malformed entries")
      ->capture_default_str();
  app.add_option("--manifest", manifest, "Write planted entries as JSON lines to this file");
  app.add_option("--loglist-out", loglist_out, "Write the v3 log list (both logs) here");
  app.add_option("--loglist-rfc6962-out", loglist_rfc6962_out,
                 "Write the v3 log list with the RFC 6962 log only here");
  app.add_option("--max-get-entries", options.max_get_entries, "get-entries cap per request")
      ->capture_default_str();
  app.add_flag("--gzip-tiles-without-header", options.gzip_tiles_without_header,
               "Always gzip data tiles, without Content-Encoding (as some CDNs do)");
  app.add_option("--grow-every-ms", options.grow_every_ms, "Grow on a timer (demo)");
  app.add_option("--grow-count", options.grow_count, "Entries per timed growth");
  app.add_flag("--no-leaf-index-extension", no_leaf_index,
               "Leave the static-ct-api leaf_index extension out of the leaves");
  app.add_option("--threads", options.threads, "HTTP worker threads")->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  ctwatch::InitLogging(log_level);
  options.corpus.leaf_index_extension = !no_leaf_index;
  options.corpus.manifest_path = manifest;
  for (const std::vector<std::string>& words : plant) {
    std::string line;
    for (const std::string& word : words) line += word + " ";
    auto names = ctwatch::testlog::ParseNameLine(line);
    if (!names.empty()) options.corpus.planted.push_back(names);
  }
  if (!plant_file.empty()) {
    auto text = ctwatch::ReadFile(plant_file);
    if (!text) {
      std::cerr << "cannot read " << plant_file << ": " << text.error().ToString() << "\n";
      return 2;
    }
    for (auto& names : ctwatch::testlog::ParseNameLines(*text)) {
      options.corpus.planted.push_back(std::move(names));
    }
  }

  // Block the termination signals in every thread; main takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto started = std::chrono::steady_clock::now();
  auto server = TestLogServer::Create(options);
  if (!server) {
    std::cerr << "ctwatch-testlog: " << server.error().ToString() << "\n";
    return 1;
  }
  if (auto st = (*server)->Start(); !st) {
    std::cerr << "ctwatch-testlog: " << st.error().ToString() << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{} entries, {} planted, tree {} MiB, ready in {:.2f} s", (*server)->corpus().size(),
               (*server)->corpus().Manifest().size(), (*server)->corpus().TreeMemoryBytes() >> 20,
               seconds);

  const int port = (*server)->port();
  if (!loglist_out.empty()) {
    if (auto st = ctwatch::WriteFileAtomic(loglist_out, (*server)->LogListJson(false)); !st) {
      std::cerr << "ctwatch-testlog: " << st.error().ToString() << "\n";
      return 1;
    }
  }
  if (!loglist_rfc6962_out.empty()) {
    if (auto st = ctwatch::WriteFileAtomic(loglist_rfc6962_out, (*server)->LogListJson(true));
        !st) {
      std::cerr << "ctwatch-testlog: " << st.error().ToString() << "\n";
      return 1;
    }
  }
  if (!port_file.empty()) {
    if (auto st = ctwatch::WriteFileAtomic(port_file, std::to_string(port) + "\n"); !st) {
      std::cerr << "ctwatch-testlog: " << st.error().ToString() << "\n";
      return 1;
    }
  }
  std::printf("listening on %s\n", (*server)->base_url().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  (*server)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
