// The built-in policy lists; see policy_defaults.h and docs/policy.md (keep them in step).
#include "policy/policy_defaults.h"

namespace ctwatch {

const std::vector<std::string_view>& BuiltinInternalLabels() {
  static const std::vector<std::string_view> kLabels = {
      // remote access and identity
      "vpn", "ldap", "ldaps", "kerberos", "radius", "bastion", "jumphost", "citrix",
      // build, code and collaboration
      "jenkins", "gitlab", "gitea", "bitbucket", "jira", "confluence", "sonarqube", "nexus",
      "artifactory", "harbor", "teamcity", "argocd", "rundeck",
      // operations and monitoring
      "grafana", "kibana", "prometheus", "alertmanager", "nagios", "zabbix", "splunk", "vault",
      "consul", "nomad", "k8s", "kubernetes", "rancher", "vcenter", "esxi", "idrac", "ilo", "ipmi",
      "proxmox", "pfsense", "phpmyadmin", "pgadmin",
      // environments and zones
      "admin", "staging", "stage", "dev", "devel", "uat", "qa", "preprod", "sandbox", "corp",
      "internal", "intranet", "intra", "private", "mgmt", "backoffice"};
  return kLabels;
}

const std::vector<std::string_view>& BuiltinNumberedHostStems() {
  static const std::vector<std::string_view> kStems = {
      "db",     "sql", "mysql", "pg",   "mongo", "redis", "dc", "srv",
      "server", "vm",  "node",  "host", "esx",   "nas",   "fs", "ws"};
  return kStems;
}

const std::vector<std::string_view>& BuiltinNonPublicSuffixes() {
  static const std::vector<std::string_view> kSuffixes = {
      "local",     "localdomain", "localhost", "internal", "intranet", "corp", "lan",  "home",
      "home.arpa", "private",     "test",      "invalid",  "example",  "priv", "intra"};
  return kSuffixes;
}

const std::vector<std::string_view>& BuiltinLookalikeKeywords() {
  static const std::vector<std::string_view> kKeywords = {
      "login",    "logon",    "signin",         "signon",       "signup",
      "sso",      "auth",     "authentication", "secure",       "security",
      "account",  "accounts", "verify",         "verification", "validate",
      "confirm",  "billing",  "invoice",        "payment",      "payments",
      "pay",      "wallet",   "support",        "helpdesk",     "help",
      "service",  "services", "customer",       "client",       "update",
      "recovery", "recover",  "reset",          "password",     "unlock",
      "alert",    "notice",   "portal",         "online",       "web",
      "webmail",  "mail",     "mobile",         "app",          "official",
      "access",   "connect",  "register",       "www",          "id",
      "office",   "cloud",    "shop",           "store",        "team",
      "center",   "desk"};
  return kKeywords;
}

const std::vector<std::string_view>& TldWords() {
  static const std::vector<std::string_view> kWords = {"com", "net",    "org",  "info", "biz", "co",
                                                       "io",  "us",     "uk",   "de",   "fr",  "eu",
                                                       "app", "online", "site", "xyz"};
  return kWords;
}

}  // namespace ctwatch
