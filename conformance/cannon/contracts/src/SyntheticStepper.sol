// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

/// @notice The oracle reads the synthetic VM makes.
interface ISyntheticOracle {
    function readPreimage(bytes32 _key, uint256 _offset) external view returns (bytes32 dat_, uint256 datLen_);
    function localKey(bytes32 _key, address _caller, bytes32 _localContext) external pure returns (bytes32);
}

/// @title SyntheticStepper
/// @notice The synthetic VM of dispute/trace (trace.Synthetic) behind MIPS64.sol's step
///         signature, so the dispute game's differential tests can replay the simulator's games,
///         whose phase 3 runs this VM, against OPcityDisputeGame. A state is the 48-byte record
///         "OPSYNVM\0" ++ context ++ steps (big-endian); its hash is keccak256 of the record with
///         the VM status byte: UNFINISHED (3) before the run's step count, then VALID (0) if the
///         claimed output is the node's true output and INVALID (1) otherwise. A run is named by
///         its local context keccak256(descriptor hash ++ claimed output), and its step count and
///         validity are registered under it by the test, which asks the Go verifier; a context
///         the Go verifier does not know is not registered, and the step reverts, as the Go
///         verifier fails. The descriptor hash and the claimed output are read as local data
///         keys 1 and 2, at part offset 8, localized for the calling game. It checks the game's
///         rules, not a VM.
contract SyntheticStepper {
    struct Run {
        uint64 steps;
        bool valid;
    }

    ISyntheticOracle public immutable ORACLE;
    mapping(bytes32 => Run) public runs;

    error NotSynthetic();
    error UnknownNode();
    error OtherContext();

    constructor(ISyntheticOracle _oracle) {
        ORACLE = _oracle;
    }

    /// @notice Registers a run: its local context, step count and whether its claim is right.
    function registerRun(bytes32 _context, uint64 _steps, bool _valid) external {
        runs[_context] = Run(_steps, _valid);
    }

    /// @notice trace.Synthetic's verifier.
    function step(bytes calldata _stateData, bytes calldata, bytes32 _localContext) external view returns (bytes32) {
        if (_stateData.length != 48 || bytes8(_stateData[0:8]) != bytes8("OPSYNVM\x00")) revert NotSynthetic();
        bytes32 dh = local(1, _localContext);
        bytes32 out = local(2, _localContext);
        bytes32 ctx = keccak256(abi.encodePacked(dh, out));
        Run memory n = runs[ctx];
        if (n.steps == 0) revert UnknownNode();
        uint64 s = uint64(bytes8(_stateData[40:48]));
        if (s != 0 && bytes32(_stateData[8:40]) != ctx) revert OtherContext();
        uint64 next = s + 1 < n.steps ? s + 1 : n.steps;
        bytes32 h = keccak256(abi.encodePacked(bytes8("OPSYNVM\x00"), next == 0 ? bytes32(0) : ctx, next));
        uint256 st = next < n.steps ? 3 : (n.valid ? 0 : 1);
        return bytes32((uint256(h) & ~(uint256(0xff) << 248)) | (st << 248));
    }

    function local(uint256 _ident, bytes32 _localContext) internal view returns (bytes32 w_) {
        bytes32 key = ORACLE.localKey(bytes32(_ident | (uint256(1) << 248)), msg.sender, _localContext);
        (w_,) = ORACLE.readPreimage(key, 8);
    }
}
