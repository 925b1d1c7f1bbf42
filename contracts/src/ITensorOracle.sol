// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

/// @title ITensorOracle
/// @notice What MIPS64OPcity asks of the tensors made available on chain: whether a tensor is
///         held under a root at a size (docs/spec.md, "Tensor commitments and D").
interface ITensorOracle {
    /// @notice Reports whether a tensor whose region root at size 2^_log2size is _root has been
    ///         made available (uploaded in full and finalized).
    function available(bytes32 _root, uint8 _log2size) external view returns (bool);
}
