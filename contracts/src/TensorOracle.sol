// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

import { ITensorOracle } from "contracts/src/ITensorOracle.sol";

/// @title TensorOracle
/// @notice Makes tensors available on chain by commitment, for MIPS64OPcity's tensor_map.
///
///         A tensor's commitment is its region root: the Merkle root of its bytes in 32-byte
///         leaves, zero padded to 2^k bytes, k = max(5, ceil(log2(length))) (docs/spec.md, "Tensor
///         commitments and D"). A tensor is uploaded as a proposal in chunks of 64 KiB, each a
///         subtree of the tensor's tree, so a chunk fits one transaction whatever the tensor's
///         size. The anchor is OP's large-preimage proposals (PreimageOracle.sol): a bond, bounded
///         chunks, and a window between the last chunk and the moment the data can be used.
///
///         The difference from OP's proposals: OP checks a keccak256 sponge only when someone
///         challenges it, so its window is a challenge period. Here every chunk is checked on
///         arrival against the tensor's root with a Merkle path, so a complete proposal is correct
///         and there is nothing to challenge; the window only delays use. The bond prices the
///         storage an unfinished proposal holds: it is returned when the proposal is finalized and
///         kept otherwise.
///
///         Finalizing marks the root available at every size from k to 2^30 (the root at k + 1 is
///         keccak256(root at k ++ the root of 2^k zero bytes)), so a program may map the tensor into
///         a region larger than it, as the Go spec's tensor store allows.
contract TensorOracle is ITensorOracle {
    /// @notice log2 of the chunk size: 64 KiB, a calldata that fits one transaction.
    uint256 public constant CHUNK_LOG2 = 16;

    /// @notice The largest tensor: 2^30 bytes, the spec's MaxTensorLog2.
    uint256 public constant MAX_LOG2 = 30;

    /// @notice One proposal: a tensor being uploaded by its proposer.
    struct Proposal {
        uint64 length;
        uint8 log2size;
        uint32 chunks;
        uint32 received;
        uint64 completedAt;
        uint128 bond;
    }

    /// @notice The bond a proposal must carry, in wei.
    uint256 public immutable BOND;

    /// @notice The seconds between a proposal's last chunk and its finalization.
    uint256 public immutable WINDOW;

    /// @notice Proposals by proposer and root.
    mapping(address => mapping(bytes32 => Proposal)) public proposals;

    /// @notice Received chunks by proposer and root: bit i of word w is chunk 256 w + i.
    mapping(address => mapping(bytes32 => mapping(uint256 => uint256))) internal receivedChunks;

    /// @notice Bit k is set when the root is available at size 2^k.
    mapping(bytes32 => uint256) public sizes;

    event Proposed(address indexed proposer, bytes32 indexed root, uint64 length, uint8 log2size, uint32 chunks);
    event ChunkAdded(address indexed proposer, bytes32 indexed root, uint32 index);
    event Available(bytes32 indexed root, uint8 log2size, uint64 length);

    error WrongBond();
    error TooLarge();
    error ProposalExists();
    error NoProposal();
    error BadChunkIndex();
    error ChunkAlreadyAdded();
    error BadChunkLength();
    error BadChunkProof();
    error Incomplete();
    error WindowNotOver();
    error BondTransferFailed();

    constructor(uint256 _bond, uint256 _window) {
        BOND = _bond;
        WINDOW = _window;
    }

    /// @inheritdoc ITensorOracle
    function available(bytes32 _root, uint8 _log2size) external view returns (bool) {
        return (sizes[_root] >> _log2size) & 1 == 1;
    }

    /// @notice Opens a proposal for the tensor of _length bytes whose region root at its minimal
    ///         size is _root. msg.value must be BOND.
    function propose(bytes32 _root, uint64 _length) external payable {
        if (msg.value != BOND) revert WrongBond();
        if (uint256(_length) > uint256(1) << MAX_LOG2) revert TooLarge();
        Proposal storage p = proposals[msg.sender][_root];
        if (p.chunks != 0) revert ProposalExists();
        uint8 k = minimalLog2(_length);
        uint32 chunks = uint32(k <= CHUNK_LOG2 ? 1 : uint256(_length + (1 << CHUNK_LOG2) - 1) >> CHUNK_LOG2);
        p.length = _length;
        p.log2size = k;
        p.chunks = chunks;
        p.bond = uint128(msg.value);
        emit Proposed(msg.sender, _root, _length, k, chunks);
    }

    /// @notice Adds chunk _index of the caller's proposal for _root: bytes [_index * 2^16,
    ///         min((_index + 1) * 2^16, length)) of the tensor, with the siblings of the chunk's
    ///         subtree from its level up to the root (_proof[0] is the chunk's sibling).
    function addChunk(bytes32 _root, uint32 _index, bytes calldata _data, bytes32[] calldata _proof) external {
        Proposal storage p = proposals[msg.sender][_root];
        if (p.chunks == 0) revert NoProposal();
        if (_index >= p.chunks) revert BadChunkIndex();
        uint256 bits = receivedChunks[msg.sender][_root][_index >> 8];
        if ((bits >> (_index & 255)) & 1 == 1) revert ChunkAlreadyAdded();

        uint256 chunkLog2 = p.log2size < CHUNK_LOG2 ? p.log2size : CHUNK_LOG2;
        uint256 start = uint256(_index) << CHUNK_LOG2;
        uint256 want = p.length - start;
        if (want > 1 << CHUNK_LOG2) want = 1 << CHUNK_LOG2;
        if (_data.length != want) revert BadChunkLength();
        if (_proof.length != p.log2size - chunkLog2) revert BadChunkProof();

        bytes32 node = subtreeRoot(_data, chunkLog2);
        for (uint256 i = 0; i < _proof.length; i++) {
            node = (_index >> i) & 1 == 0 ? hashPair(node, _proof[i]) : hashPair(_proof[i], node);
        }
        if (node != _root) revert BadChunkProof();

        receivedChunks[msg.sender][_root][_index >> 8] = bits | (1 << (_index & 255));
        p.received += 1;
        if (p.received == p.chunks) p.completedAt = uint64(block.timestamp);
        emit ChunkAdded(msg.sender, _root, _index);
    }

    /// @notice Makes the caller's complete proposal for _root available, WINDOW seconds after its
    ///         last chunk, and returns its bond.
    function finalize(bytes32 _root) external {
        Proposal memory p = proposals[msg.sender][_root];
        if (p.chunks == 0) revert NoProposal();
        if (p.received != p.chunks) revert Incomplete();
        if (block.timestamp < uint256(p.completedAt) + WINDOW) revert WindowNotOver();
        delete proposals[msg.sender][_root];

        bytes32 zero; // the root of 2^(k - 5 + 5) zero bytes, walked up with k
        for (uint256 k = 5; k < p.log2size; k++) zero = hashPair(zero, zero);
        bytes32 root = _root;
        for (uint256 k = p.log2size; k <= MAX_LOG2; k++) {
            sizes[root] |= 1 << k;
            root = hashPair(root, zero);
            zero = hashPair(zero, zero);
        }
        emit Available(_root, p.log2size, p.length);

        (bool ok,) = payable(msg.sender).call{ value: p.bond }("");
        if (!ok) revert BondTransferFailed();
    }

    /// @notice max(5, ceil(log2(_length))): the smallest region that holds _length bytes.
    function minimalLog2(uint64 _length) public pure returns (uint8 k_) {
        k_ = 5;
        while ((uint256(1) << k_) < _length) k_++;
    }

    /// @notice The region root of _data zero padded to 2^_log2size bytes (_data no longer).
    function subtreeRoot(bytes calldata _data, uint256 _log2size) internal pure returns (bytes32 root_) {
        assembly {
            let size := shl(_log2size, 1)
            let buf := mload(0x40)
            calldatacopy(buf, _data.offset, _data.length)
            // zero the padding: calldata past its end reads as zeros
            calldatacopy(add(buf, _data.length), calldatasize(), sub(size, _data.length))
            for { let n := shr(5, size) } gt(n, 1) { n := shr(1, n) } {
                for { let i := 0 } lt(i, shr(1, n)) { i := add(i, 1) } {
                    mstore(add(buf, shl(5, i)), keccak256(add(buf, shl(6, i)), 64))
                }
            }
            root_ := mload(buf)
        }
    }

    function hashPair(bytes32 _a, bytes32 _b) internal pure returns (bytes32 h_) {
        assembly {
            mstore(0, _a)
            mstore(32, _b)
            h_ := keccak256(0, 64)
        }
    }
}
