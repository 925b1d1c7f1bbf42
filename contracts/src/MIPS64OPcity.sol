// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

// The released libraries of MIPS64.sol, compiled from the optimism module in the Go module
// cache (never copied here): the memory proof check and the syscall constants.
import { InvalidMemoryProof } from "src/cannon/libraries/CannonErrors.sol";
import { MIPS64Memory } from "src/cannon/libraries/MIPS64Memory.sol";
import { MIPS64Syscalls as sys } from "src/cannon/libraries/MIPS64Syscalls.sol";

import { ITensorOracle } from "contracts/src/ITensorOracle.sol";

/// @notice The step function of the released MIPS64.sol, called unchanged.
interface IMIPS64Step {
    function step(bytes calldata _stateData, bytes calldata _proof, bytes32 _localContext) external returns (bytes32);
}

/// @title MIPS64OPcity
/// @notice The OPcity profile's one-step verifier: the released MIPS64.sol's step plus the two
///         tensor syscalls, tensor_map (7000) and tensor_root (7001), with the rules of docs/spec.md
///         ("OPcity profile").
///
///         A step that does not execute a tensor syscall is run by the released MIPS64 contract's
///         code, calldata and all, with delegatecall, and its return data or revert data is
///         returned as is, so on such a step this contract answers exactly what the release
///         answers. MIPS64.sol's step is neither virtual nor split into overridable parts (its
///         syscall dispatch is an internal function that reverts on an unknown number), so
///         extending it by inheritance is not possible; running the deployed release keeps its
///         code byte for byte. Delegatecall, not call: MIPS64.sol localizes local preimage keys
///         with its caller, which must stay the caller of this contract (the dispute game that
///         loaded the local data), and the release holds no storage and reads its oracle from an
///         immutable, so running its code here changes nothing else.
///
///         A step executes a tensor syscall when the release would reach its syscall dispatch with
///         v0 = 7000 or 7001: the state is canonical and not exited, the active thread stack is not
///         empty, the thread witness matches it, the thread is not exited, the quantum is not used
///         up, the fetch proof (slot 0) is valid for an aligned pc, and the word there is `syscall`.
///         On any other input the release decides (and reverts where the spec rejects).
///
///         Proof slots (docs/spec.md, "Witness and verification"): slot 1 is the leaf proof of the
///         pointer, slot 2 the region proof; both are checked against the pre-state memory root.
contract MIPS64OPcity {
    /// @notice A tensor_map named a root the tensor oracle does not hold at that size: the step
    ///         cannot be executed until the tensor is made available.
    error TensorNotAvailable(bytes32 root, uint8 log2size);

    /// @notice The region proof of slot 2 does not imply the pre-state memory root, or its padding
    ///         after the last sibling is not zero.
    error InvalidRegionProof();

    // Calldata layout of step(bytes,bytes,bytes32) with the standard ABI encoding, as MIPS64.sol
    // requires it (it reverts on any other).
    uint256 internal constant STATE_OFFSET = 132;
    uint256 internal constant STATE_SIZE = 188;
    uint256 internal constant THREAD_OFFSET = 356;
    uint256 internal constant THREAD_SIZE = 298;
    uint256 internal constant SLOT_SIZE = 1920;
    uint256 internal constant SLOT0 = 686; // THREAD_OFFSET + THREAD_SIZE + 32
    uint256 internal constant SLOT1 = 2606; // SLOT0 + SLOT_SIZE
    uint256 internal constant SLOT2 = 4526; // SLOT1 + SLOT_SIZE

    // Byte offsets of the 188-byte state witness.
    uint256 internal constant S_HEAP = 72;
    uint256 internal constant S_LL_STATUS = 80;
    uint256 internal constant S_LL_ADDRESS = 81;
    uint256 internal constant S_EXITED = 98;
    uint256 internal constant S_STEP = 99;
    uint256 internal constant S_STEPS_SINCE_SWITCH = 107;
    uint256 internal constant S_TRAVERSE_RIGHT = 115;
    uint256 internal constant S_LEFT_STACK = 116;
    uint256 internal constant S_RIGHT_STACK = 148;

    // Byte offsets of the 298-byte thread.
    uint256 internal constant T_EXITED = 9;
    uint256 internal constant T_PC = 10;
    uint256 internal constant T_NEXT_PC = 18;
    uint256 internal constant T_REGS = 42;

    uint64 internal constant SYS_TENSOR_MAP = 7000;
    uint64 internal constant SYS_TENSOR_ROOT = 7001;
    uint64 internal constant MIN_TENSOR_LOG2 = 5;
    uint64 internal constant MAX_TENSOR_LOG2 = 30;
    uint64 internal constant HEAP_START = 0x1000_0000_0000;

    /// @notice keccak256(bytes32(0) ++ bytes32(0)), the root of an empty thread stack.
    bytes32 internal constant EMPTY_THREAD_ROOT = hex"ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5";

    /// @notice The status byte of an unfinished VM; a tensor step never exits.
    uint256 internal constant STATUS_UNFINISHED = 3;

    /// @notice The released MIPS64 contract whose code runs every other step.
    IMIPS64Step public immutable BASE;

    /// @notice The oracle of the tensors a tensor_map may bind.
    ITensorOracle public immutable TENSORS;

    constructor(IMIPS64Step _base, ITensorOracle _tensors) {
        BASE = _base;
        TENSORS = _tensors;
    }

    /// @notice Executes one step of the OPcity profile. Arguments and return value are those of
    ///         MIPS64.sol's step.
    function step(bytes calldata _stateData, bytes calldata _proof, bytes32 _localContext) external returns (bytes32) {
        _localContext; // the tensor syscalls read no preimage; the release reads it from calldata
        if (!isTensorStep(_stateData, _proof)) {
            forwardToBase();
        }
        return tensorStep();
    }

    /// @notice Runs the release's code on this call's calldata and returns or reverts with its
    ///         data.
    function forwardToBase() internal {
        address base = address(BASE);
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), base, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @notice Reports whether the release would reach its syscall dispatch with v0 = 7000 or 7001.
    ///         The cheap tests come first (v0 and the instruction word as the calldata claims them),
    ///         so a step that is no tensor syscall is forwarded before any hash is computed; the
    ///         proofs are checked only for a claimed tensor syscall.
    function isTensorStep(bytes calldata _stateData, bytes calldata _proof) internal pure returns (bool) {
        uint256 size;
        uint256 stateOffset;
        uint256 proofOffset;
        assembly {
            size := calldatasize()
            stateOffset := _stateData.offset
            proofOffset := _proof.offset
        }
        if (stateOffset != STATE_OFFSET || _stateData.length != STATE_SIZE) return false;
        if (proofOffset != THREAD_OFFSET || size < SLOT0 + SLOT_SIZE) return false;
        uint64 num = register(2);
        if (num != SYS_TENSOR_MAP && num != SYS_TENSOR_ROOT) return false;
        uint64 pc = threadWord(T_PC);
        if (pc & 3 != 0) return false;
        bytes32 leaf;
        assembly {
            leaf := calldataload(SLOT0)
        }
        if (uint32(uint256(leaf) >> (8 * (28 - (pc & 31)))) != 0x0000000c) return false;
        if (stateByte(S_LL_STATUS) > 2 || stateByte(S_EXITED) != 0 || stateByte(S_TRAVERSE_RIGHT) > 1) return false;
        if (threadByte(T_EXITED) != 0 || stateWord(S_STEPS_SINCE_SWITCH) >= sys.SCHED_QUANTUM) return false;
        bytes32 active = activeStack();
        if (active == EMPTY_THREAD_ROOT || threadStackRoot(threadHashFromCalldata()) != active) return false;
        return MIPS64Memory.isValidProof(stateRoot(), pc & ~uint64(7), SLOT0);
    }

    /// @notice Executes tensor_map or tensor_root on the state and thread in calldata and returns
    ///         the post-state hash, logging the post-state as MIPS64.sol does.
    function tensorStep() internal returns (bytes32) {
        uint64 num = register(2);
        uint64 addr = register(4);
        uint64 log2size = register(5);
        uint64 ptr = register(6);
        bytes32 memRoot = stateRoot();
        bool clearReservation;
        uint64 v0;
        uint64 v1;
        if (!isTensorCall(addr, log2size, ptr)) {
            (v0, v1) = (sys.EINVAL, sys.SYS_ERROR_SIGNAL);
        } else if (num == SYS_TENSOR_MAP) {
            bytes32 root = leafAt(memRoot, ptr);
            if (!TENSORS.available(root, uint8(log2size))) revert TensorNotAvailable(root, uint8(log2size));
            regionRoot(memRoot, addr, log2size);
            memRoot = foldRegion(addr, log2size, root);
            unchecked {
                clearReservation = stateWord(S_LL_ADDRESS) - addr < uint64(1) << log2size;
            }
        } else {
            bytes32 root = regionRoot(memRoot, addr, log2size);
            leafAt(memRoot, ptr);
            memRoot = foldLeaf(ptr, root);
            clearReservation = stateWord(S_LL_ADDRESS) & ~uint64(31) == ptr;
        }
        return outputState(memRoot, clearReservation, v0, v1);
    }

    /// @notice The argument rules of docs/spec.md ("Argument rules (EINVAL)"), on 64-bit values.
    function isTensorCall(uint64 _addr, uint64 _log2size, uint64 _ptr) internal pure returns (bool) {
        if (_log2size < MIN_TENSOR_LOG2 || _log2size > MAX_TENSOR_LOG2) return false;
        uint64 size = uint64(1) << _log2size;
        if (_addr % size != 0 || _ptr % 32 != 0) return false;
        uint64 heap = stateWord(S_HEAP);
        if (_addr < HEAP_START || heap < size || _addr > heap - size) return false;
        unchecked {
            return _ptr - _addr >= size;
        }
    }

    /// @notice The 32-byte leaf at _ptr, from the leaf proof of slot 1 checked against _memRoot.
    function leafAt(bytes32 _memRoot, uint64 _ptr) internal pure returns (bytes32 leaf_) {
        if (!MIPS64Memory.isValidProof(_memRoot, _ptr, SLOT1)) revert InvalidMemoryProof();
        assembly {
            leaf_ := calldataload(SLOT1)
        }
    }

    /// @notice The root of the region [_addr, _addr + 2^_log2size), from the region proof of slot 2
    ///         checked against _memRoot: entry 0 is the region root, entry j + 1 the sibling at
    ///         height _log2size - 5 + j, and the entries after the last sibling are zero.
    function regionRoot(bytes32 _memRoot, uint64 _addr, uint64 _log2size) internal pure returns (bytes32 root_) {
        MIPS64Memory.validateMemoryProofAvailability(SLOT2);
        uint256 siblings = 64 - _log2size;
        for (uint256 i = siblings + 1; i < 60; i++) {
            bytes32 pad;
            assembly {
                pad := calldataload(add(SLOT2, shl(5, i)))
            }
            if (pad != 0) revert InvalidRegionProof();
        }
        assembly {
            root_ := calldataload(SLOT2)
        }
        if (foldRegion(_addr, _log2size, root_) != _memRoot) revert InvalidRegionProof();
    }

    /// @notice The memory root with the region's node replaced by _node, folded with slot 2's
    ///         siblings.
    function foldRegion(uint64 _addr, uint64 _log2size, bytes32 _node) internal pure returns (bytes32) {
        return fold(_node, uint256(_addr) >> _log2size, 64 - _log2size, SLOT2 + 32);
    }

    /// @notice The memory root with the leaf at _ptr replaced by _leaf, folded with slot 1's
    ///         siblings.
    function foldLeaf(uint64 _ptr, bytes32 _leaf) internal pure returns (bytes32) {
        return fold(_leaf, uint256(_ptr) >> 5, 59, SLOT1 + 32);
    }

    /// @notice Hashes _node up _levels levels with the siblings in calldata at _siblings; bit i of
    ///         _path says whether the node is the right child at level i.
    function fold(bytes32 _node, uint256 _path, uint256 _levels, uint256 _siblings) internal pure returns (bytes32 node_) {
        assembly {
            node_ := _node
            for { let i := 0 } lt(i, _levels) { i := add(i, 1) } {
                let sibling := calldataload(add(_siblings, shl(5, i)))
                switch and(shr(i, _path), 1)
                case 0 {
                    mstore(0, node_)
                    mstore(32, sibling)
                }
                default {
                    mstore(0, sibling)
                    mstore(32, node_)
                }
                node_ := keccak256(0, 64)
            }
        }
    }

    /// @notice Writes the post-state: memory root, reservation, step and quantum counters, and the
    ///         active stack with the thread advanced past the syscall (v0, a3 = _v0, _v1); logs it
    ///         and returns its hash with the status byte.
    function outputState(bytes32 _memRoot, bool _clearReservation, uint64 _v0, uint64 _v1) internal returns (bytes32 out_) {
        bytes memory thread = new bytes(THREAD_SIZE + 32);
        assembly {
            calldatacopy(add(thread, 32), THREAD_OFFSET, THREAD_SIZE)
        }
        uint64 nextPC = threadWord(T_NEXT_PC);
        unchecked {
            putWord(thread, T_PC, nextPC);
            putWord(thread, T_NEXT_PC, nextPC + 4);
        }
        putWord(thread, T_REGS + 8 * 2, _v0);
        putWord(thread, T_REGS + 8 * 7, _v1);
        bytes32 threadHash;
        assembly {
            threadHash := keccak256(add(thread, 32), THREAD_SIZE)
        }

        bytes memory post = new bytes(STATE_SIZE + 32);
        assembly {
            calldatacopy(add(post, 32), STATE_OFFSET, STATE_SIZE)
            mstore(add(post, 32), _memRoot)
        }
        if (_clearReservation) {
            post[S_LL_STATUS] = 0;
            putWord(post, S_LL_ADDRESS, 0);
            putWord(post, S_LL_ADDRESS + 8, 0);
        }
        unchecked {
            putWord(post, S_STEP, stateWord(S_STEP) + 1);
            putWord(post, S_STEPS_SINCE_SWITCH, stateWord(S_STEPS_SINCE_SWITCH) + 1);
        }
        bytes32 stack = threadStackRoot(threadHash);
        uint256 stackOffset = stateByte(S_TRAVERSE_RIGHT) == 1 ? S_RIGHT_STACK : S_LEFT_STACK;
        assembly {
            mstore(add(add(post, 32), stackOffset), stack)
            let start := add(post, 32)
            log0(start, STATE_SIZE)
            out_ := keccak256(start, STATE_SIZE)
            out_ := or(and(not(shl(248, 0xff)), out_), shl(248, STATUS_UNFINISHED))
        }
    }

    /// @notice Overwrites the 8 bytes at _offset of _buf with _value, big-endian. _buf must have
    ///         24 bytes of slack after _offset + 8.
    function putWord(bytes memory _buf, uint256 _offset, uint64 _value) internal pure {
        assembly {
            let p := add(add(_buf, 32), _offset)
            mstore(p, or(shl(192, _value), and(mload(p), shr(64, not(0)))))
        }
    }

    /// @notice keccak256(inner root ++ _threadHash): the active stack with the witnessed thread on top.
    function threadStackRoot(bytes32 _threadHash) internal pure returns (bytes32 root_) {
        assembly {
            mstore(0, calldataload(add(THREAD_OFFSET, THREAD_SIZE)))
            mstore(32, _threadHash)
            root_ := keccak256(0, 64)
        }
    }

    function threadHashFromCalldata() internal pure returns (bytes32 h_) {
        assembly {
            let p := mload(0x40)
            calldatacopy(p, THREAD_OFFSET, THREAD_SIZE)
            h_ := keccak256(p, THREAD_SIZE)
        }
    }

    function activeStack() internal pure returns (bytes32 root_) {
        uint256 offset = stateByte(S_TRAVERSE_RIGHT) == 1 ? S_RIGHT_STACK : S_LEFT_STACK;
        assembly {
            root_ := calldataload(add(STATE_OFFSET, offset))
        }
    }

    function stateRoot() internal pure returns (bytes32 root_) {
        assembly {
            root_ := calldataload(STATE_OFFSET)
        }
    }

    function stateByte(uint256 _offset) internal pure returns (uint8 b_) {
        assembly {
            b_ := shr(248, calldataload(add(STATE_OFFSET, _offset)))
        }
    }

    function stateWord(uint256 _offset) internal pure returns (uint64 w_) {
        assembly {
            w_ := shr(192, calldataload(add(STATE_OFFSET, _offset)))
        }
    }

    function threadByte(uint256 _offset) internal pure returns (uint8 b_) {
        assembly {
            b_ := shr(248, calldataload(add(THREAD_OFFSET, _offset)))
        }
    }

    function threadWord(uint256 _offset) internal pure returns (uint64 w_) {
        assembly {
            w_ := shr(192, calldataload(add(THREAD_OFFSET, _offset)))
        }
    }

    function register(uint256 _i) internal pure returns (uint64) {
        return threadWord(T_REGS + 8 * _i);
    }
}
