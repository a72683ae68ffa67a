# Verification half of ctlog: Merkle hashes and proofs, signed tree heads, checkpoints, log lists.
ctwatch_add_test(ctlog_verify_test
  SOURCES merkle_test.cc tree_head_test.cc checkpoint_test.cc log_list_test.cc
  LIBS ctwatch_ctlog nlohmann_json::nlohmann_json)
