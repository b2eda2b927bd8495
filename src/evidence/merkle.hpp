// The RFC 6962 Merkle tree over audit records (each record's bytes without the trailing LF is
// one leaf): leaf and node hashing, the compact range that the writer and the verifier keep, and
// inclusion and consistency proofs with the RFC 9162 verification algorithms.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/sha256.hpp"

namespace asocat::evidence {

using util::Digest256;

// SHA-256(0x00 || leaf). The prefixes keep a leaf from ever passing for an interior node.
Digest256 leaf_hash(std::string_view leaf);
// SHA-256(0x01 || left || right).
Digest256 node_hash(const Digest256& left, const Digest256& right);
// The root of the empty tree: SHA-256 of the empty string.
Digest256 empty_root();

// The frontier of a tree of `size` leaves: the roots of its maximal perfect subtrees, one per
// set bit of `size`, largest (leftmost) first. That is all it takes to append and to compute
// the root, so the writer and the verifier need O(log n) memory however long the log grows.
// Fixed storage: no allocation ever, and copying a range is a plain copy.
class CompactRange {
public:
    CompactRange() = default;

    // Resumes a tree from a saved size and frontier() (same order). Fails unless there is
    // exactly one hash per set bit of `size`.
    static util::Expected<CompactRange> from_frontier(std::uint64_t size,
                                                      std::vector<Digest256> frontier);

    // Adds one leaf hash (leaf_hash of the record). Amortised one node hash, at most 64.
    // Throws std::length_error when size() is already 2^64 - 1.
    void append(const Digest256& leaf);

    std::uint64_t size() const { return m_size; }
    // RFC 6962 MTH of all appended leaves (empty_root() for none). popcount(size) - 1 hashes.
    Digest256 root() const;
    // popcount(size()) hashes, largest subtree first; covering leaves [0, 2^a), then the next
    // 2^b, and so on for size = 2^a + 2^b + ... with a > b > ...
    std::vector<Digest256> frontier() const;

private:
    std::uint64_t m_size = 0;
    // m_hashes[0, popcount(m_size)) is the frontier, largest first; 64 bits, 64 slots.
    std::array<Digest256, 64> m_hashes{};
};

// Supplies the leaf hash of leaf `i`. The proof builders call it with strictly increasing
// indices, each at most once, and only for leaves the proof depends on, so a caller can stream
// the log forward (skipping the records it is not asked for). May throw; the exception passes
// through.
using LeafHashAt = std::function<Digest256(std::uint64_t)>;

// The RFC 6962 2.1.1 audit path of leaf `index` in the tree of the first `size` leaves,
// ordered from the leaf's sibling up to the root's child. Every proof element is the root of a
// range of leaves; the ranges are disjoint, so one forward pass with a CompactRange per range
// computes them all: fewer than `size` leaf_at calls and hashes, O(log size) memory.
// Throws std::out_of_range unless index < size (the caller knows the size it asks about).
std::vector<Digest256> inclusion_proof(std::uint64_t index, std::uint64_t size,
                                       const LeafHashAt& leaf_at);

// RFC 9162 2.1.3.2: does `proof` show that `leaf` (a leaf hash) is leaf `index` of the tree
// of `size` leaves whose root is `root`? False for index >= size, a proof of the wrong length,
// or any hash that does not fit; at most 64 node hashes however long the proof.
// The root alone does not commit to the size (leaf 0's path in a 3-leaf tree has the same shape
// as in a 4-leaf one); the signed checkpoint binds size and root together.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Digest256& leaf,
                      std::span<const Digest256> proof, const Digest256& root);

// The RFC 6962 2.1.2 proof that the tree of the first `old_size` leaves is a prefix of the tree
// of the first `new_size`. Empty when old_size is 0 or equals new_size. Same pass and costs as
// inclusion_proof (leaves [0, old_size) are skipped when old_size is a power of two).
// Throws std::out_of_range unless old_size <= new_size.
std::vector<Digest256> consistency_proof(std::uint64_t old_size, std::uint64_t new_size,
                                         const LeafHashAt& leaf_at);

// RFC 9162 2.1.4.2, plus the two cases it leaves out: equal sizes need an empty proof and equal
// roots; old_size 0 needs an empty proof and old_root == empty_root() (stricter than
// accepting any old root: an empty checkpoint with another root is not a checkpoint of this
// log). False for old_size > new_size or any proof that does not fit.
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Digest256& old_root,
                        const Digest256& new_root, std::span<const Digest256> proof);

} // namespace asocat::evidence
