# Entries and clients half of ctlog: leaf decoding, get-entries parsing, the RFC 6962 and
# static-ct-api clients and LogSource (against a loopback HTTP server), names via src/cert,
# and proven compact ranges over both APIs.
ctwatch_add_test(ctlog_entries_test
  SOURCES entry_test.cc entry_names_test.cc get_entries_parser_test.cc log_client_test.cc
          log_source_test.cc proven_range_test.cc
  LIBS ctwatch_ctlog PkgConfig::HTTPLIB PkgConfig::ZLIB nlohmann_json::nlohmann_json)
