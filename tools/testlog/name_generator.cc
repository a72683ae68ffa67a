// NameGenerator: see name_generator.h. Thread-safety: a value type for one owner.
#include "testlog/name_generator.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

namespace ctwatch::testlog {
namespace {

constexpr std::array<const char*, 96> kWords = {
    "alpine",  "amber",   "anchor",  "apex",   "arrow",   "atlas",   "aurora", "beacon", "birch",
    "blue",    "bolt",    "bright",  "brook",  "cactus",  "canyon",  "cedar",  "cinder", "cloud",
    "cobalt",  "comet",   "coral",   "crest",  "crystal", "delta",   "desert", "drift",  "eagle",
    "ember",   "falcon",  "fern",    "fjord",  "flint",   "forest",  "fox",    "frost",  "garnet",
    "glacier", "golden",  "granite", "harbor", "hazel",   "horizon", "indigo", "iron",   "ivory",
    "jade",    "juniper", "kestrel", "lake",   "lantern", "lark",    "lemon",  "lotus",  "lunar",
    "maple",   "marble",  "meadow",  "mesa",   "mint",    "nectar",  "nimbus", "north",  "oak",
    "ocean",   "olive",   "onyx",    "orbit",  "pearl",   "pepper",  "pine",   "pixel",  "polar",
    "prairie", "quartz",  "quill",   "raven",  "reef",    "river",   "rocket", "sage",   "silver",
    "solar",   "spruce",  "stone",   "summit", "swift",   "thunder", "tidal",  "timber", "topaz",
    "trail",   "tundra",  "valley",  "velvet", "willow",  "zephyr"};

constexpr std::array<const char*, 16> kBusinessWords = {
    "labs",   "tech", "media",  "cloud",  "shop",   "store",  "group", "systems",
    "health", "bank", "travel", "energy", "studio", "design", "games", "works"};

constexpr std::array<const char*, 22> kTlds = {
    "com",   "com", "com", "com",  "net",  "org", "io", "co", "de",    "fr",     "nl",
    "co.uk", "app", "dev", "shop", "info", "eu",  "ch", "se", "co.jp", "com.au", "ca"};

constexpr std::array<const char*, 24> kServices = {
    "www",  "mail",   "api",     "shop",   "cdn",    "app",    "portal",  "login",
    "auth", "static", "blog",    "status", "admin",  "dev",    "staging", "vpn",
    "m",    "docs",   "support", "img",    "assets", "secure", "webmail", "autodiscover"};

}  // namespace

std::string NameGenerator::RegisteredDomain() {
  std::string label;
  switch (Pick(4)) {
    case 0:
      label = std::string(kWords[Pick(kWords.size())]) + kWords[Pick(kWords.size())];
      break;
    case 1:
      label = std::string(kWords[Pick(kWords.size())]) + "-" +
              kBusinessWords[Pick(kBusinessWords.size())];
      break;
    case 2:
      label = std::string(kWords[Pick(kWords.size())]) +
              kBusinessWords[Pick(kBusinessWords.size())] + std::to_string(Pick(100));
      break;
    default:
      label = std::string(kWords[Pick(kWords.size())]) + "-" + kWords[Pick(kWords.size())];
      break;
  }
  return label + "." + kTlds[Pick(kTlds.size())];
}

std::vector<std::string> NameGenerator::NextNameSet() {
  const std::string domain = RegisteredDomain();
  std::vector<std::string> names;
  switch (Pick(5)) {
    case 0:  // apex + www
      names = {domain, "www." + domain};
      break;
    case 1:  // wildcard + apex
      names = {"*." + domain, domain};
      break;
    case 2: {  // one service name
      names = {std::string(kServices[Pick(kServices.size())]) + "." + domain};
      break;
    }
    case 3: {  // a few service names
      names = {domain};
      const size_t extra = 1 + Pick(3);
      for (size_t i = 0; i < extra; ++i) {
        std::string name = std::string(kServices[Pick(kServices.size())]) + "." + domain;
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
      break;
    }
    default:  // a deeper host name
      names = {std::string(kServices[Pick(kServices.size())]) + "-" + std::to_string(Pick(20)) +
               "." + kWords[Pick(kWords.size())] + "." + domain};
      break;
  }
  return names;
}

std::vector<std::string> ParseNameLine(const std::string& line) {
  std::vector<std::string> names;
  std::istringstream in(line);
  std::string name;
  while (in >> name) {
    if (names.empty() && name[0] == '#') break;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    names.push_back(name);
  }
  return names;
}

std::vector<std::vector<std::string>> ParseNameLines(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> names = ParseNameLine(line);
    if (!names.empty()) out.push_back(std::move(names));
  }
  return out;
}

}  // namespace ctwatch::testlog
