// InventoryStore on a real SQLite file with the embedded migrations.
#include "acme/inventory_store.h"

#include <gtest/gtest.h>

#include "pebble_harness.h"
#include "test_util.h"

namespace ctwatch {
namespace {

using ::ctwatch::testing::IsOk;

class InventoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::ctwatch::testing::MakeTempDir("inventory");
    auto store = OpenInventoryStore(dir_ + "/ctwatch.db");
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
  }

  OrderRecord NewOrder(const std::string& name) {
    OrderRecord o;
    o.cert_name = name;
    o.ca = "pebble";
    o.directory_url = "https://ca.test/dir";
    o.account_url = "https://ca.test/acct/1";
    o.identifiers = {{"dns", "a.test"}, {"dns", "b.test"}};
    auto id = store_->InsertOrder(o);
    EXPECT_THAT(id, IsOk());
    o.id = id.has_value() ? *id : 0;
    return o;
  }

  InventoryCertificate Cert(uint8_t tag, const std::string& name) {
    InventoryCertificate c;
    c.name = name;
    c.identity.fill(tag);
    c.cert_sha256.fill(tag + 1);
    c.spki_sha256.fill(tag + 2);
    c.names = {"a.test", "b.test"};
    c.serial_hex = "0" + std::to_string(tag);
    c.aki = {1, 2, 3};
    c.issuer_dn = "CN=Test CA";
    c.not_before_ms = 1000;
    c.not_after_ms = 2000;
    c.ca = "pebble";
    c.cert_der = {0x30, tag};
    return c;
  }

  std::string dir_;
  std::unique_ptr<InventoryStore> store_;
};

TEST_F(InventoryStoreTest, OrderStateRoundTrips) {
  OrderRecord o = NewOrder("web");
  auto open = store_->FindOpenOrder("web");
  ASSERT_THAT(open, IsOk());
  ASSERT_TRUE(open->has_value());
  EXPECT_EQ((*open)->identifiers, o.identifiers);
  EXPECT_EQ((*open)->state, OrderState::kNew);

  o.state = OrderState::kPending;
  o.order_url = "https://ca.test/order/1";
  o.finalize_url = "https://ca.test/finalize/1";
  o.challenges = {{"dns-01", {"dns", "a.test"}, true, "tok", "tok.thumb"}};
  Sha256Hash spki;
  spki.fill(7);
  o.csr_spki_sha256 = spki;
  ASSERT_THAT(store_->UpdateOrder(o), IsOk());
  auto back = store_->GetOrder(o.id);
  ASSERT_THAT(back, IsOk());
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->order_url, o.order_url);
  ASSERT_EQ((*back)->challenges.size(), 1u);
  EXPECT_TRUE((*back)->challenges[0].wildcard);
  EXPECT_EQ((*back)->challenges[0].key_authorization, "tok.thumb");
  EXPECT_EQ((*back)->csr_spki_sha256, spki);
  EXPECT_EQ(*store_->IsKnownOrderUrl("https://ca.test/order/1"), true);
  EXPECT_EQ(*store_->IsKnownOrderUrl("https://ca.test/order/2"), false);

  o.state = OrderState::kFailed;
  ASSERT_THAT(store_->UpdateOrder(o), IsOk());
  EXPECT_FALSE(store_->FindOpenOrder("web")->has_value());
}

TEST_F(InventoryStoreTest, IssuanceReplacesAndFulfilsTheExpectation) {
  OrderRecord first = NewOrder("web");
  Expectation e;
  e.order_id = first.id;
  e.ca = "pebble";
  e.spki_sha256.fill(3);
  e.names = {"a.test", "b.test"};
  e.window_start_ms = 0;
  e.window_end_ms = 10'000;
  ASSERT_THAT(store_->AddExpectation(e), IsOk());
  EXPECT_EQ(store_->OpenExpectations(5'000)->size(), 1u);
  EXPECT_EQ(store_->OpenExpectations(20'000)->size(), 0u);

  auto id1 = store_->RecordIssued(&first, Cert(1, "web"));
  ASSERT_THAT(id1, IsOk());
  EXPECT_EQ(first.state, OrderState::kInstalled);
  EXPECT_EQ(first.inventory_id, *id1);
  EXPECT_EQ(store_->OpenExpectations(5'000)->size(), 0u);

  OrderRecord second = NewOrder("web");
  second.replaces_id = *id1;
  auto id2 = store_->RecordIssued(&second, Cert(9, "web"));
  ASSERT_THAT(id2, IsOk());
  auto old = store_->GetCertificate(*id1);
  ASSERT_THAT(old, IsOk());
  EXPECT_EQ((*old)->status, "replaced");
  EXPECT_EQ((*old)->replaced_by, *id2);
  auto active = store_->ActiveCertificate("web");
  ASSERT_THAT(active, IsOk());
  EXPECT_EQ((*active)->id, *id2);
  // Recording the same certificate again (a resumed order) finds it instead of duplicating.
  OrderRecord third = NewOrder("web");
  EXPECT_EQ(*store_->RecordIssued(&third, Cert(9, "web")), *id2);
  EXPECT_EQ(store_->ListCertificates({})->size(), 2u);

  ASSERT_THAT(store_->MarkRevoked(*id2, 4, 1500), IsOk());
  auto revoked = store_->FindBySerial("09");
  ASSERT_THAT(revoked, IsOk());
  EXPECT_EQ((*revoked)->status, "revoked");
  EXPECT_EQ((*revoked)->revocation_reason, 4);
  EXPECT_EQ(store_->ListCertificates({.status = "revoked"})->size(), 1u);
}

TEST_F(InventoryStoreTest, AccountsAndExpiry) {
  AccountRecord a;
  a.ca = "pebble";
  a.directory_url = "https://ca.test/dir";
  a.account_url = "https://ca.test/acct/1";
  a.key_path = "/k";
  a.key_thumbprint = "t1";
  a.contact = {"mailto:a@example.com"};
  auto id = store_->SaveAccount(a);
  ASSERT_THAT(id, IsOk());
  a.status = "deactivated";
  EXPECT_EQ(*store_->SaveAccount(a), *id);
  ASSERT_THAT(store_->RekeyAccount(*id, "t2"), IsOk());
  auto found = store_->FindAccount("https://ca.test/dir", "t2");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->status, "deactivated");
  EXPECT_EQ((*found)->contact, a.contact);
  EXPECT_FALSE(store_->FindAccount("https://ca.test/dir", "t1")->has_value());

  ASSERT_THAT(store_->AddCertificate(Cert(5, "api")), IsOk());
  EXPECT_EQ(*store_->MarkExpired(1500), 0);
  EXPECT_EQ(*store_->MarkExpired(2500), 1);
  EXPECT_EQ((*store_->ActiveCertificate("api")).has_value(), false);
}

}  // namespace
}  // namespace ctwatch
