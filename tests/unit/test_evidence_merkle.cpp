#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "evidence/merkle.hpp"
#include "util/sha256.hpp"

using asocat::evidence::CompactRange;
using asocat::evidence::consistency_proof;
using asocat::evidence::empty_root;
using asocat::evidence::inclusion_proof;
using asocat::evidence::leaf_hash;
using asocat::evidence::node_hash;
using asocat::evidence::verify_consistency;
using asocat::evidence::verify_inclusion;
using asocat::util::Digest256;
using asocat::util::Sha256;
using asocat::util::to_hex;

// Expected values come from an independent implementation, not from this code: a Python
// script (hashlib) transcribing RFC 6962 section 2.1 literally and recursively (MTH, PATH,
// SUBPROOF), run once when this file was written. Unless said otherwise, leaf i is the ASCII
// string "leaf-" followed by i in decimal ("leaf-0", "leaf-1", ...) and a tree of size n holds
// leaves 0..n-1. The script reproduced the certificate-transparency reference vectors below
// before its other outputs were taken.

namespace {

Digest256 from_hex(std::string_view hex) {
    REQUIRE(hex.size() == 64);
    Digest256 out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] =
            static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(2 * i, 2)), nullptr, 16));
    }
    return out;
}

std::vector<Digest256> from_hex(const std::vector<std::string>& hexes) {
    std::vector<Digest256> out;
    for (const auto& hex : hexes) {
        out.push_back(from_hex(hex));
    }
    return out;
}

std::vector<std::string> to_hex(const std::vector<Digest256>& digests) {
    std::vector<std::string> out;
    for (const auto& digest : digests) {
        out.push_back(asocat::util::to_hex(digest));
    }
    return out;
}

// Leaf hashes of "leaf-0" .. "leaf-<count - 1>".
std::vector<Digest256> test_leaves(std::size_t count) {
    std::vector<Digest256> leaves;
    for (std::size_t i = 0; i < count; ++i) {
        leaves.push_back(leaf_hash("leaf-" + std::to_string(i)));
    }
    return leaves;
}

asocat::evidence::LeafHashAt leaf_at(const std::vector<Digest256>& leaves) {
    return [&leaves](std::uint64_t i) { return leaves.at(i); };
}

Digest256 root_of(const std::vector<Digest256>& leaves, std::size_t size) {
    CompactRange range;
    for (std::size_t i = 0; i < size; ++i) {
        range.append(leaves[i]);
    }
    return range.root();
}

// SHA-256 over each proof as one length byte then its hashes: one constant that pins every
// proof of a table to the reference.
void fingerprint(Sha256& hasher, const std::vector<Digest256>& proof) {
    const auto length = static_cast<std::uint8_t>(proof.size());
    hasher.update(&length, 1);
    for (const auto& hash : proof) {
        hasher.update(hash.data(), hash.size());
    }
}

// The certificate-transparency project's reference leaves (merkle_tree_test.cc), as bytes.
std::vector<Digest256> ct_leaves() {
    const std::vector<std::string> data = {
        std::string(),
        std::string(1, '\x00'),
        "\x10",
        "\x20\x21",
        "\x30\x31",
        "\x40\x41\x42\x43",
        "\x50\x51\x52\x53\x54\x55\x56\x57",
        "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
    std::vector<Digest256> leaves;
    for (const auto& leaf : data) {
        leaves.push_back(leaf_hash(leaf));
    }
    return leaves;
}

} // namespace

TEST_CASE("the hashes are RFC 6962's, domain-separated", "[merkle]") {
    CHECK(to_hex(empty_root()) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // SHA-256(0x00) and SHA-256(0x01 || SHA-256(0x00) || SHA-256(0x00 0x00)): the CT roots of
    // sizes 1 and 2.
    CHECK(to_hex(leaf_hash("")) ==
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    CHECK(to_hex(node_hash(leaf_hash(""), leaf_hash(std::string(1, '\0')))) ==
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
    CHECK(to_hex(leaf_hash("leaf-4")) ==
          "ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba");
    CHECK(leaf_hash("abc") != asocat::util::sha256("abc"));
}

TEST_CASE("the certificate-transparency reference vectors", "[merkle]") {
    const auto leaves = ct_leaves();
    const std::vector<std::string> roots = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
    for (std::size_t size = 0; size < roots.size(); ++size) {
        INFO("size " << size);
        CHECK(to_hex(root_of(leaves, size)) == roots[size]);
    }

    struct Vector {
        std::uint64_t first;
        std::uint64_t second;
        std::vector<std::string> proof;
    };
    const std::vector<Vector> inclusion = {
        {0, 1, {}},
        {0,
         8,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {5,
         8,
         {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
        {1,
         5,
         {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    };
    for (const auto& v : inclusion) {
        INFO("leaf " << v.first << " of " << v.second);
        CHECK(to_hex(inclusion_proof(v.first, v.second, leaf_at(leaves))) == v.proof);
        CHECK(verify_inclusion(v.first, v.second, leaves[v.first], from_hex(v.proof),
                               from_hex(roots[v.second])));
    }

    const std::vector<Vector> consistency = {
        {1,
         8,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {6,
         8,
         {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
        {2,
         5,
         {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    };
    for (const auto& v : consistency) {
        INFO(v.first << " -> " << v.second);
        CHECK(to_hex(consistency_proof(v.first, v.second, leaf_at(leaves))) == v.proof);
        CHECK(verify_consistency(v.first, v.second, from_hex(roots[v.first]),
                                 from_hex(roots[v.second]), from_hex(v.proof)));
    }
}

TEST_CASE("CompactRange roots match the reference for every tree shape", "[merkle]") {
    const auto leaves = test_leaves(100);
    const std::vector<std::pair<std::size_t, std::string>> roots = {
        {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {1, "305df59f9590c3c9ac63d2b2743c388e3792449078cebf7fb3dbe6471643b2b7"},
        {2, "60a53eed0de87a90c8e59427c59c46253c33a76a09502a51801300927b7e6bdc"},
        {3, "cf763a041c81ceef1578a6083f75c61bef2e0014f2a3e683a97fcfca5be7f19a"},
        {4, "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3"},
        {5, "00d21829a5503145348abcf712513eacf2a274211ad83e970202bb5b6d80b286"},
        {7, "0b007fb915eb9b2a146f54b1c86ec53b664f8e455b7660b0b6ee13edc0d921c0"},
        {8, "ca6b7b3e674ac86c1027b59c87c064fc3bc27b313294c75f83bd05fdd13f0dcf"},
        {9, "1374d3a5ecbef4cd7c109e5d0127955f4ef014756496d70a0f99f65aa0ac8a30"},
        {16, "cba3a9fefaccc7480d94577a738a22b99d3b7ded3a218a5628b4c5c8f77b87a7"},
        {17, "9bff4478570b1fa635917302d4a4a88d610ab38bf01e9ce302f991554beaa848"},
        {100, "951b744704efaf33c0d9b4db1d656e9a9798959de4823f96396bd28baf5979ef"},
    };
    CompactRange range;
    std::vector<Digest256> all_roots;
    for (std::size_t size = 0;; ++size) {
        REQUIRE(range.size() == size);
        all_roots.push_back(range.root());
        for (const auto& [n, hex] : roots) {
            if (n == size) {
                INFO("size " << size);
                CHECK(to_hex(range.root()) == hex);
            }
        }
        if (size == 100) {
            break;
        }
        range.append(leaves[size]);
    }
    // Every size 0..100: SHA-256 of the 101 roots concatenated.
    Sha256 hasher;
    for (const auto& root : all_roots) {
        hasher.update(root.data(), root.size());
    }
    CHECK(to_hex(hasher.finish()) ==
          "14e0a8f816625202811bc5902a62ca0d2383496e505d4a312865c6fc7cd2807d");
}

TEST_CASE("frontier() lists the perfect subtrees largest first", "[merkle]") {
    const auto leaves = test_leaves(7);
    CompactRange range;
    CHECK(range.frontier().empty());
    for (std::size_t i = 0; i < 5; ++i) {
        range.append(leaves[i]);
    }
    // 5 = 4 + 1: MTH(leaf-0..leaf-3), then leaf-4.
    CHECK(to_hex(range.frontier()) ==
          std::vector<std::string>{
              "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3",
              "ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba"});
    range.append(leaves[5]);
    range.append(leaves[6]);
    // 7 = 4 + 2 + 1.
    CHECK(to_hex(range.frontier()) ==
          std::vector<std::string>{
              "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3",
              "985bb5d36b927800876871da925a7e82abe83a9ddba5882920a007a55ea2b376",
              "676f3782f5b3a5fb4370ed49572cedc523f4a66322269c85f2af0509d17b0a4d"});
}

TEST_CASE("a re-imported frontier gives the same root and appends identically", "[merkle]") {
    const auto leaves = test_leaves(100);
    for (std::size_t size = 0; size <= 64; ++size) {
        INFO("size " << size);
        CompactRange original;
        for (std::size_t i = 0; i < size; ++i) {
            original.append(leaves[i]);
        }
        auto resumed = CompactRange::from_frontier(size, original.frontier());
        REQUIRE(resumed.has_value());
        CHECK(resumed->size() == size);
        CHECK(resumed->root() == original.root());
        for (std::size_t i = size; i < 100; ++i) {
            original.append(leaves[i]);
            resumed->append(leaves[i]);
            REQUIRE(resumed->root() == original.root());
            REQUIRE(resumed->frontier() == original.frontier());
        }
        CHECK(to_hex(resumed->root()) ==
              "951b744704efaf33c0d9b4db1d656e9a9798959de4823f96396bd28baf5979ef");
    }
}

TEST_CASE("from_frontier rejects a hash count that does not match the size", "[merkle]") {
    const Digest256 hash = leaf_hash("x");
    CHECK_FALSE(CompactRange::from_frontier(0, {hash}).has_value());
    CHECK_FALSE(CompactRange::from_frontier(1, {}).has_value());
    CHECK_FALSE(CompactRange::from_frontier(1, {hash, hash}).has_value());
    CHECK_FALSE(CompactRange::from_frontier(7, {hash, hash}).has_value());
    CHECK_FALSE(CompactRange::from_frontier(8, {hash, hash}).has_value());
    const auto error = CompactRange::from_frontier(5, {hash});
    REQUIRE_FALSE(error.has_value());
    CHECK(error.error().message() == "a Merkle frontier for 5 leaves has 2 hashes, not 1");
    CHECK(CompactRange::from_frontier(0, {})->root() == empty_root());
    CHECK(CompactRange::from_frontier(8, {hash})->root() == hash);
}

TEST_CASE("CompactRange handles sizes near 2^64", "[merkle]") {
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    const Digest256 hash = leaf_hash("x");
    auto top = CompactRange::from_frontier(std::uint64_t{1} << 63, {hash});
    REQUIRE(top.has_value());
    CHECK(top->root() == hash);
    auto full = CompactRange::from_frontier(max, std::vector<Digest256>(64, hash));
    REQUIRE(full.has_value());
    CHECK(full->frontier().size() == 64);
    CHECK_THROWS_AS(full->append(hash), std::length_error);
    CHECK(full->size() == max);
    auto almost = CompactRange::from_frontier(max - 1, std::vector<Digest256>(63, hash));
    REQUIRE(almost.has_value());
    almost->append(hash);
    CHECK(almost->frontier() == std::vector<Digest256>(64, hash));
}

TEST_CASE("inclusion proofs match the reference", "[merkle]") {
    const auto leaves = test_leaves(100);
    struct Vector {
        std::uint64_t index;
        std::uint64_t size;
        std::vector<std::string> proof;
    };
    const std::vector<Vector> vectors = {
        {0, 1, {}},
        {0, 2, {"3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f"}},
        {1, 2, {"305df59f9590c3c9ac63d2b2743c388e3792449078cebf7fb3dbe6471643b2b7"}},
        {2, 3, {"60a53eed0de87a90c8e59427c59c46253c33a76a09502a51801300927b7e6bdc"}},
        {0,
         5,
         {"3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f",
          "bd45ff28796704d88bdac51b1df553fda59837b616d6d1cb2114dbc3b087ff69",
          "ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba"}},
        {4, 5, {"bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3"}},
        {3,
         7,
         {"fca89f57c9f8c8eb4047a7ff9d333acf9e0f3384b20b255bceab0f216dcca267",
          "60a53eed0de87a90c8e59427c59c46253c33a76a09502a51801300927b7e6bdc",
          "8eae6bd3b3a07f1f75ee72a531629e6eb31e42e62f760e47de52a53c3641ef23"}},
        {6,
         7,
         {"985bb5d36b927800876871da925a7e82abe83a9ddba5882920a007a55ea2b376",
          "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3"}},
        {0,
         8,
         {"3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f",
          "bd45ff28796704d88bdac51b1df553fda59837b616d6d1cb2114dbc3b087ff69",
          "f58aaab46122102d66b00c5eb50b13dd763b5f800139b424fda8b1cacae1408a"}},
        {5,
         8,
         {"ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba",
          "398ebdeb46e179eeffacef4635fd30410954e169b88e22741fa96cffb1022a85",
          "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3"}},
        {8, 9, {"ca6b7b3e674ac86c1027b59c87c064fc3bc27b313294c75f83bd05fdd13f0dcf"}},
        {0,
         16,
         {"3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f",
          "bd45ff28796704d88bdac51b1df553fda59837b616d6d1cb2114dbc3b087ff69",
          "f58aaab46122102d66b00c5eb50b13dd763b5f800139b424fda8b1cacae1408a",
          "0987e0642e1f474f9559a891878d4c9afa846570074aa8a433cd30338a80b746"}},
        {16, 17, {"cba3a9fefaccc7480d94577a738a22b99d3b7ded3a218a5628b4c5c8f77b87a7"}},
        {0,
         100,
         {"3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f",
          "bd45ff28796704d88bdac51b1df553fda59837b616d6d1cb2114dbc3b087ff69",
          "f58aaab46122102d66b00c5eb50b13dd763b5f800139b424fda8b1cacae1408a",
          "0987e0642e1f474f9559a891878d4c9afa846570074aa8a433cd30338a80b746",
          "18cdc6bd01687da3b81e8d09acef25898fd8d9964cead483caff12be33121361",
          "4b1ca3f4ddddda577e6d321a408b774586ba4d340271c84097a4939513356190",
          "5a2f9f2221b09025be4c31076fe9cc61f854f61a52ec8678c447877933443c57"}},
        {37,
         100,
         {"bfe89c96d6e1480cf18a43120816a0828a34e2503e6ad9864a7e01b417d2ecee",
          "0c501aa4a2c88b0506583f6f98268fa8e74da266115772016d77974ce1dcd1d3",
          "f2824d03a0ba27137d617319427b13b273e110306bfb162daa46e7d0b681c54c",
          "a1c3d332a9c58ca9e29a877c405a013fe6e1fb2e411701d637c6d8096f44995c",
          "e084ff3cdfb5fd1796c64ec2eaa3dd90f285b63f7b5793ca1d44d2980b627bb4",
          "5910ab4a28c8754ba5cd1b098f74ffb05926d7a91bd40ab0904ef8779465347b",
          "5a2f9f2221b09025be4c31076fe9cc61f854f61a52ec8678c447877933443c57"}},
        {99,
         100,
         {"74fcaea5f5bed63ec7e8a5403506f693940a4ce7b75583051be45f23dfba5923",
          "0c2d40d07a96f50573b269447bd648c47513b4e3a3390ff0a163547c64d6bddd",
          "cbcd5b141ca3bbd58dfa33da1e73ef163cc4680a7c69cdcadb6b2cf47e8f739d",
          "11206652df8512a0fbdc024270fcb6e4f72b5a9414f34e92f880242f6926f9a9"}},
    };
    for (const auto& v : vectors) {
        INFO("leaf " << v.index << " of " << v.size);
        CHECK(to_hex(inclusion_proof(v.index, v.size, leaf_at(leaves))) == v.proof);
        CHECK(verify_inclusion(v.index, v.size, leaves[v.index], from_hex(v.proof),
                               root_of(leaves, v.size)));
    }

    // Every leaf of every size 1..33, in that order, fingerprinted as in fingerprint().
    Sha256 hasher;
    for (std::uint64_t size = 1; size <= 33; ++size) {
        for (std::uint64_t index = 0; index < size; ++index) {
            fingerprint(hasher, inclusion_proof(index, size, leaf_at(leaves)));
        }
    }
    CHECK(to_hex(hasher.finish()) ==
          "1cdf50582d9e3573b208458808579380fcda4f3bbcfed2de022aa61eb14fcf1c");
}

TEST_CASE("every inclusion proof up to 33 leaves verifies and no tampered one does", "[merkle]") {
    const auto leaves = test_leaves(34);
    std::vector<Digest256> roots;
    for (std::size_t size = 0; size <= 34; ++size) {
        roots.push_back(root_of(leaves, size));
    }
    for (std::uint64_t size = 1; size <= 33; ++size) {
        for (std::uint64_t index = 0; index < size; ++index) {
            INFO("leaf " << index << " of " << size);
            const auto proof = inclusion_proof(index, size, leaf_at(leaves));
            const auto& leaf = leaves[index];
            const auto& root = roots[size];
            REQUIRE(verify_inclusion(index, size, leaf, proof, root));

            CHECK_FALSE(verify_inclusion(index, size, leaves[size], proof, root));
            CHECK_FALSE(verify_inclusion(index, size, leaf, proof, roots[size - 1]));
            for (std::size_t at = 0; at < proof.size(); ++at) {
                for (const std::size_t byte : {std::size_t{0}, std::size_t{31}}) {
                    auto flipped = proof;
                    flipped[at][byte] ^= 0x01;
                    CHECK_FALSE(verify_inclusion(index, size, leaf, flipped, root));
                }
            }
            if (!proof.empty()) {
                const std::vector<Digest256> truncated(proof.begin(), proof.end() - 1);
                CHECK_FALSE(verify_inclusion(index, size, leaf, truncated, root));
            }
            for (const auto& extra : {root, proof.empty() ? root : proof.back(), Digest256{}}) {
                auto extended = proof;
                extended.push_back(extra);
                CHECK_FALSE(verify_inclusion(index, size, leaf, extended, root));
            }
            for (std::uint64_t other = 0; other <= size + 1; ++other) {
                if (other != index) {
                    CHECK_FALSE(verify_inclusion(other, size, leaf, proof, root));
                }
            }
            // Another tree's checkpoint: the proof fits no other (size, root) pair.
            for (std::uint64_t other = index + 1; other <= 34; ++other) {
                if (other != size) {
                    CHECK_FALSE(verify_inclusion(index, other, leaf, proof, roots[other]));
                }
            }
        }
    }
}

TEST_CASE("inclusion verification needs the size from the checkpoint", "[merkle]") {
    const auto leaves = test_leaves(8);
    const auto root3 = root_of(leaves, 3);
    const auto proof = inclusion_proof(0, 3, leaf_at(leaves));
    // A path whose shape differs in the claimed size is refused...
    CHECK_FALSE(verify_inclusion(0, 2, leaves[0], proof, root3));
    CHECK_FALSE(verify_inclusion(0, 5, leaves[0], proof, root3));
    // ...but leaf 0 has the same path shape in 3 and 4 leaves, and a root does not say how
    // many leaves it covers. That is why a checkpoint signs the size with the root.
    CHECK(verify_inclusion(0, 4, leaves[0], proof, root3));
}

TEST_CASE("inclusion arguments out of range are refused without undefined behaviour", "[merkle]") {
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    const auto leaves = test_leaves(8);
    const auto root = root_of(leaves, 8);
    const auto proof = inclusion_proof(3, 8, leaf_at(leaves));
    CHECK_FALSE(verify_inclusion(0, 0, leaves[0], {}, empty_root()));
    CHECK_FALSE(verify_inclusion(8, 8, leaves[3], proof, root));
    CHECK_FALSE(verify_inclusion(max, 8, leaves[3], proof, root));
    CHECK_FALSE(verify_inclusion(0, 1, leaves[0], proof, leaves[0]));
    CHECK_FALSE(verify_inclusion(3, 8, leaves[3], {}, root));
    const std::vector<Digest256> long_proof(1000, root);
    CHECK_FALSE(verify_inclusion(max - 1, max, leaves[3], long_proof, root));
    CHECK_FALSE(verify_inclusion(0, max, leaves[3], long_proof, root));
    CHECK_FALSE(verify_inclusion(
        max - 1, max, leaves[3],
        std::vector<Digest256>(long_proof.begin(), long_proof.begin() + 64), root));
    CHECK_THROWS_AS(inclusion_proof(8, 8, leaf_at(leaves)), std::out_of_range);
    CHECK_THROWS_AS(inclusion_proof(0, 0, leaf_at(leaves)), std::out_of_range);
}

TEST_CASE("proof builders read leaves strictly forward and only those they need", "[merkle]") {
    const auto leaves = test_leaves(100);
    std::vector<std::uint64_t> calls;
    const auto recording = [&](std::uint64_t i) {
        calls.push_back(i);
        return leaves.at(i);
    };
    const auto everything_but = [](std::uint64_t begin, std::uint64_t end, std::uint64_t skip) {
        std::vector<std::uint64_t> out;
        for (std::uint64_t i = begin; i < end; ++i) {
            if (i != skip) {
                out.push_back(i);
            }
        }
        return out;
    };
    (void)inclusion_proof(37, 100, recording);
    CHECK(calls == everything_but(0, 100, 37));
    calls.clear();
    (void)inclusion_proof(0, 1, recording);
    CHECK(calls.empty());
    calls.clear();
    // The old tree of 64 leaves is a perfect subtree: its root is the verifier's own.
    (void)consistency_proof(64, 100, recording);
    CHECK(calls == everything_but(64, 100, 100));
    calls.clear();
    (void)consistency_proof(37, 100, recording);
    CHECK(calls == everything_but(0, 100, 100));
    calls.clear();
    (void)consistency_proof(0, 100, recording);
    (void)consistency_proof(100, 100, recording);
    CHECK(calls.empty());
}

TEST_CASE("a failing leaf source fails the proof", "[merkle]") {
    const auto failing = [](std::uint64_t i) -> Digest256 {
        if (i == 5) {
            throw std::runtime_error("log shorter than expected");
        }
        return leaf_hash(std::to_string(i));
    };
    CHECK_THROWS_WITH(inclusion_proof(0, 8, failing), "log shorter than expected");
    CHECK_THROWS_WITH(consistency_proof(3, 8, failing), "log shorter than expected");
}

TEST_CASE("consistency proofs match the reference", "[merkle]") {
    const auto leaves = test_leaves(100);
    struct Vector {
        std::uint64_t old_size;
        std::uint64_t new_size;
        std::vector<std::string> proof;
    };
    const std::vector<Vector> vectors = {
        {1, 2, {"3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f"}},
        {1,
         8,
         {"3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f",
          "bd45ff28796704d88bdac51b1df553fda59837b616d6d1cb2114dbc3b087ff69",
          "f58aaab46122102d66b00c5eb50b13dd763b5f800139b424fda8b1cacae1408a"}},
        {2,
         5,
         {"bd45ff28796704d88bdac51b1df553fda59837b616d6d1cb2114dbc3b087ff69",
          "ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba"}},
        {3,
         7,
         {"fca89f57c9f8c8eb4047a7ff9d333acf9e0f3384b20b255bceab0f216dcca267",
          "f76836325aec5699d8d71f8e42e9d47c5c29b08059ba296384f7ca40ad3a40ae",
          "60a53eed0de87a90c8e59427c59c46253c33a76a09502a51801300927b7e6bdc",
          "8eae6bd3b3a07f1f75ee72a531629e6eb31e42e62f760e47de52a53c3641ef23"}},
        {4, 8, {"f58aaab46122102d66b00c5eb50b13dd763b5f800139b424fda8b1cacae1408a"}},
        {6,
         8,
         {"985bb5d36b927800876871da925a7e82abe83a9ddba5882920a007a55ea2b376",
          "398ebdeb46e179eeffacef4635fd30410954e169b88e22741fa96cffb1022a85",
          "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3"}},
        {7,
         9,
         {"676f3782f5b3a5fb4370ed49572cedc523f4a66322269c85f2af0509d17b0a4d",
          "060242692909024231d050c5d4434146ba77da322d450286f577c9f951615d53",
          "985bb5d36b927800876871da925a7e82abe83a9ddba5882920a007a55ea2b376",
          "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3",
          "95ceab0ef2c3135bf4ede6c0bdbed41b01c30848c09b1d79deb7c396fbc77667"}},
        {8, 9, {"95ceab0ef2c3135bf4ede6c0bdbed41b01c30848c09b1d79deb7c396fbc77667"}},
        {16, 17, {"df4b1261a2dd5a7cf9d6d3cd04d36aac160f5a05b86831fca9793d8984375af9"}},
        {5,
         100,
         {"ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba",
          "8f1593cb92f429d9340b9bbc1f0bb122adf8026c42a4a42142e2168931727236",
          "398ebdeb46e179eeffacef4635fd30410954e169b88e22741fa96cffb1022a85",
          "bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3",
          "0987e0642e1f474f9559a891878d4c9afa846570074aa8a433cd30338a80b746",
          "18cdc6bd01687da3b81e8d09acef25898fd8d9964cead483caff12be33121361",
          "4b1ca3f4ddddda577e6d321a408b774586ba4d340271c84097a4939513356190",
          "5a2f9f2221b09025be4c31076fe9cc61f854f61a52ec8678c447877933443c57"}},
        {64, 100, {"5a2f9f2221b09025be4c31076fe9cc61f854f61a52ec8678c447877933443c57"}},
        {99,
         100,
         {"74fcaea5f5bed63ec7e8a5403506f693940a4ce7b75583051be45f23dfba5923",
          "e236dd220bb4bb18a60c518606f97d1d11db81e2dabbb8e8c338aa4f9d2fe24e",
          "0c2d40d07a96f50573b269447bd648c47513b4e3a3390ff0a163547c64d6bddd",
          "cbcd5b141ca3bbd58dfa33da1e73ef163cc4680a7c69cdcadb6b2cf47e8f739d",
          "11206652df8512a0fbdc024270fcb6e4f72b5a9414f34e92f880242f6926f9a9"}},
    };
    for (const auto& v : vectors) {
        INFO(v.old_size << " -> " << v.new_size);
        CHECK(to_hex(consistency_proof(v.old_size, v.new_size, leaf_at(leaves))) == v.proof);
        CHECK(verify_consistency(v.old_size, v.new_size, root_of(leaves, v.old_size),
                                 root_of(leaves, v.new_size), from_hex(v.proof)));
    }

    // Every 1 <= old <= new <= 33, new-major, fingerprinted as in fingerprint().
    Sha256 hasher;
    for (std::uint64_t new_size = 1; new_size <= 33; ++new_size) {
        for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
            fingerprint(hasher, consistency_proof(old_size, new_size, leaf_at(leaves)));
        }
    }
    CHECK(to_hex(hasher.finish()) ==
          "2b89fa8f2588c6e1ff7e9a878ca1688b83324a22341cd4295f4f4399c4eb21e0");
}

TEST_CASE("every consistency proof up to 33 leaves verifies and no tampered one does", "[merkle]") {
    const auto leaves = test_leaves(34);
    std::vector<Digest256> roots;
    for (std::size_t size = 0; size <= 34; ++size) {
        roots.push_back(root_of(leaves, size));
    }
    const Digest256 stranger = leaf_hash("not in this log");
    for (std::uint64_t new_size = 1; new_size <= 33; ++new_size) {
        for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
            INFO(old_size << " -> " << new_size);
            const auto proof = consistency_proof(old_size, new_size, leaf_at(leaves));
            const auto& old_root = roots[old_size];
            const auto& new_root = roots[new_size];
            REQUIRE(verify_consistency(old_size, new_size, old_root, new_root, proof));
            CHECK(proof.empty() == (old_size == new_size));

            CHECK_FALSE(
                verify_consistency(old_size, new_size, roots[old_size - 1], new_root, proof));
            CHECK_FALSE(verify_consistency(old_size, new_size, stranger, new_root, proof));
            CHECK_FALSE(verify_consistency(old_size, new_size, old_root, stranger, proof));
            CHECK_FALSE(
                verify_consistency(old_size, new_size, old_root, roots[new_size + 1], proof));
            if (old_size != new_size) {
                CHECK_FALSE(verify_consistency(new_size, old_size, new_root, old_root, proof));
            }
            for (std::size_t at = 0; at < proof.size(); ++at) {
                for (const std::size_t byte : {std::size_t{0}, std::size_t{31}}) {
                    auto flipped = proof;
                    flipped[at][byte] ^= 0x80;
                    CHECK_FALSE(
                        verify_consistency(old_size, new_size, old_root, new_root, flipped));
                }
            }
            if (!proof.empty()) {
                const std::vector<Digest256> truncated(proof.begin(), proof.end() - 1);
                CHECK_FALSE(verify_consistency(old_size, new_size, old_root, new_root, truncated));
            }
            for (const auto& extra : {old_root, new_root, Digest256{}}) {
                auto extended = proof;
                extended.push_back(extra);
                CHECK_FALSE(verify_consistency(old_size, new_size, old_root, new_root, extended));
            }
            // Other trees' checkpoints: the proof fits no other pair of (size, root).
            for (std::uint64_t other = 1; other <= 34; ++other) {
                if (other != new_size && other >= old_size) {
                    CHECK_FALSE(verify_consistency(old_size, other, old_root, roots[other], proof));
                }
                if (other != old_size && other <= new_size) {
                    CHECK_FALSE(verify_consistency(other, new_size, roots[other], new_root, proof));
                }
            }
        }
    }
}

TEST_CASE("consistency with an empty or unchanged tree", "[merkle]") {
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    const auto leaves = test_leaves(8);
    const auto root4 = root_of(leaves, 4);
    const auto root8 = root_of(leaves, 8);
    CHECK(verify_consistency(0, 0, empty_root(), empty_root(), {}));
    CHECK(verify_consistency(0, 8, empty_root(), root8, {}));
    CHECK_FALSE(verify_consistency(0, 8, root4, root8, {}));
    CHECK_FALSE(verify_consistency(0, 8, empty_root(), root8, std::vector<Digest256>{root8}));
    CHECK(verify_consistency(4, 4, root4, root4, {}));
    CHECK_FALSE(verify_consistency(4, 4, root4, root8, {}));
    CHECK_FALSE(verify_consistency(4, 4, root4, root4, std::vector<Digest256>{root4}));
    CHECK_FALSE(verify_consistency(8, 4, root8, root4, {}));
    CHECK_FALSE(verify_consistency(4, 8, root4, root8, {}));
    CHECK_FALSE(
        verify_consistency(max - 1, max, root4, root8, std::vector<Digest256>(1000, root4)));
    CHECK_FALSE(verify_consistency(1, max, root4, root8, std::vector<Digest256>(1000, root4)));
    CHECK(consistency_proof(0, 8, leaf_at(leaves)).empty());
    CHECK(consistency_proof(8, 8, leaf_at(leaves)).empty());
    CHECK(consistency_proof(0, 0, leaf_at(leaves)).empty());
    CHECK_THROWS_AS(consistency_proof(5, 4, leaf_at(leaves)), std::out_of_range);
}
