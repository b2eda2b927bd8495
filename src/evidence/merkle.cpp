#include "evidence/merkle.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace asocat::evidence {

namespace {

// One hasher per thread, reused: util::Sha256 allocates its context, and a node hash per
// appended record must not. If hashing ever throws, the half-fed context is replaced.
util::Sha256& thread_hasher() {
    thread_local util::Sha256 hasher;
    return hasher;
}

template <class Feed>
Digest256 hash_with(Feed&& feed) {
    util::Sha256& hasher = thread_hasher();
    try {
        feed(hasher);
        return hasher.finish();
    } catch (...) {
        hasher = util::Sha256();
        throw;
    }
}

// The largest power of two strictly below n (n >= 2): where RFC 6962 splits a tree of n leaves.
std::uint64_t split_point(std::uint64_t n) {
    return std::bit_floor(n - 1);
}

// Leaves [begin, end) of the tree.
struct LeafRange {
    std::uint64_t begin;
    std::uint64_t end;
};

// The MTH of each range, in the order given. The ranges are disjoint, so visiting them by
// position lets leaf_at run strictly forward, with one CompactRange alive at a time.
std::vector<Digest256> range_roots(const std::vector<LeafRange>& ranges,
                                   const LeafHashAt& leaf_at) {
    std::vector<std::size_t> order(ranges.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return ranges[a].begin < ranges[b].begin; });
    std::vector<Digest256> roots(ranges.size());
    for (const std::size_t i : order) {
        CompactRange range;
        for (std::uint64_t leaf = ranges[i].begin; leaf < ranges[i].end; ++leaf) {
            range.append(leaf_at(leaf));
        }
        roots[i] = range.root();
    }
    return roots;
}

} // namespace

Digest256 leaf_hash(std::string_view leaf) {
    return hash_with([&](util::Sha256& hasher) {
        const std::uint8_t prefix = 0x00;
        hasher.update(&prefix, 1);
        hasher.update(leaf);
    });
}

Digest256 node_hash(const Digest256& left, const Digest256& right) {
    // One buffer and one update call: this is the hash every appended record pays for.
    std::array<std::uint8_t, 1 + 2 * 32> input;
    input[0] = 0x01;
    std::memcpy(input.data() + 1, left.data(), left.size());
    std::memcpy(input.data() + 1 + left.size(), right.data(), right.size());
    return hash_with([&](util::Sha256& hasher) { hasher.update(input.data(), input.size()); });
}

Digest256 empty_root() {
    static const Digest256 root = util::sha256("");
    return root;
}

util::Expected<CompactRange> CompactRange::from_frontier(std::uint64_t size,
                                                         std::vector<Digest256> frontier) {
    const auto expected = static_cast<std::size_t>(std::popcount(size));
    if (frontier.size() != expected) {
        return util::Error("a Merkle frontier for " + std::to_string(size) + " leaves has " +
                           std::to_string(expected) + " hashes, not " +
                           std::to_string(frontier.size()));
    }
    CompactRange range;
    range.m_size = size;
    std::copy(frontier.begin(), frontier.end(), range.m_hashes.begin());
    return range;
}

void CompactRange::append(const Digest256& leaf) {
    if (m_size == std::numeric_limits<std::uint64_t>::max()) {
        throw std::length_error("Merkle tree is full (2^64 - 1 leaves)");
    }
    // Binary increment: each trailing one bit of the size is a subtree of the new leaf's size
    // class on its left, which merges with the carry; the carry lands in the first zero bit.
    auto count = static_cast<std::size_t>(std::popcount(m_size));
    Digest256 carry = leaf;
    for (std::uint64_t bits = m_size; (bits & 1) != 0; bits >>= 1) {
        --count;
        carry = node_hash(m_hashes[count], carry);
    }
    m_hashes[count] = carry;
    ++m_size;
}

Digest256 CompactRange::root() const {
    // MTH splits off the largest perfect subtree on the left and recurses on the rest, so the
    // root folds the frontier from the smallest subtree leftwards.
    auto count = static_cast<std::size_t>(std::popcount(m_size));
    if (count == 0) {
        return empty_root();
    }
    Digest256 root = m_hashes[--count];
    while (count > 0) {
        --count;
        root = node_hash(m_hashes[count], root);
    }
    return root;
}

std::vector<Digest256> CompactRange::frontier() const {
    const auto count = static_cast<std::ptrdiff_t>(std::popcount(m_size));
    return std::vector<Digest256>(m_hashes.begin(), m_hashes.begin() + count);
}

std::vector<Digest256> inclusion_proof(std::uint64_t index, std::uint64_t size,
                                       const LeafHashAt& leaf_at) {
    if (index >= size) {
        throw std::out_of_range("no leaf " + std::to_string(index) + " in a Merkle tree of " +
                                std::to_string(size) + " leaves");
    }
    // RFC 6962 PATH(m, D[lo:hi]) walked from the root down: at each split the proof gains the
    // root of the half that does not hold the leaf. The proof lists them bottom-up.
    std::vector<LeafRange> siblings;
    std::uint64_t lo = 0;
    std::uint64_t hi = size;
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + split_point(hi - lo);
        if (index < mid) {
            siblings.push_back({mid, hi});
            hi = mid;
        } else {
            siblings.push_back({lo, mid});
            lo = mid;
        }
    }
    std::reverse(siblings.begin(), siblings.end());
    return range_roots(siblings, leaf_at);
}

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Digest256& leaf,
                      std::span<const Digest256> proof, const Digest256& root) {
    if (index >= size) {
        return false;
    }
    // fn walks the leaf's position up the tree and sn the last leaf's; a wrong length shows as
    // sn reaching 0 too early (checked before each hash, so at most 64 hashes) or too late.
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    Digest256 hash = leaf;
    for (const Digest256& sibling : proof) {
        if (sn == 0) {
            return false;
        }
        if ((fn & 1) != 0 || fn == sn) {
            hash = node_hash(sibling, hash);
            // A right-edge node without a right sibling is promoted unchanged.
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            hash = node_hash(hash, sibling);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash == root;
}

std::vector<Digest256> consistency_proof(std::uint64_t old_size, std::uint64_t new_size,
                                         const LeafHashAt& leaf_at) {
    if (old_size > new_size) {
        throw std::out_of_range("a Merkle tree of " + std::to_string(old_size) +
                                " leaves cannot be a prefix of one of " + std::to_string(new_size));
    }
    if (old_size == 0 || old_size == new_size) {
        return {};
    }
    // RFC 6962 SUBPROOF(m, D[lo:hi], b) walked from the root down; `whole` is b: while the
    // window is still a prefix of the old tree, the verifier knows its root already.
    std::vector<LeafRange> nodes;
    std::uint64_t lo = 0;
    std::uint64_t hi = new_size;
    std::uint64_t m = old_size;
    bool whole = true;
    while (m != hi - lo) {
        const std::uint64_t k = split_point(hi - lo);
        if (m <= k) {
            nodes.push_back({lo + k, hi});
            hi = lo + k;
        } else {
            nodes.push_back({lo, lo + k});
            lo += k;
            m -= k;
            whole = false;
        }
    }
    if (!whole) {
        nodes.push_back({lo, hi});
    }
    std::reverse(nodes.begin(), nodes.end());
    return range_roots(nodes, leaf_at);
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Digest256& old_root,
                        const Digest256& new_root, std::span<const Digest256> proof) {
    if (old_size > new_size) {
        return false;
    }
    if (old_size == 0) {
        return proof.empty() && old_root == empty_root();
    }
    if (old_size == new_size) {
        return proof.empty() && old_root == new_root;
    }
    if (proof.empty()) {
        return false;
    }
    // When the old tree is a perfect subtree the proof leaves out its root (the verifier has
    // it); the RFC prepends it, here the first hash just comes from old_root instead.
    const bool old_is_perfect = std::has_single_bit(old_size);
    std::size_t next = 0;
    const Digest256& seed = old_is_perfect ? old_root : proof[next++];
    std::uint64_t fn = old_size - 1;
    std::uint64_t sn = new_size - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    // fr rebuilds the old root, sr the new one, from the same path.
    Digest256 fr = seed;
    Digest256 sr = seed;
    for (; next < proof.size(); ++next) {
        const Digest256& c = proof[next];
        if (sn == 0) {
            return false;
        }
        if ((fn & 1) != 0 || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && fr == old_root && sr == new_root;
}

} // namespace asocat::evidence
