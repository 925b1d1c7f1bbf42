// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

/// @title LibKeccak
/// @notice The one declaration of lib-keccak's LibKeccak that MIPS64.sol's
///         import graph needs: IPreimageOracle names LibKeccak.StateMatrix in
///         the signatures of its large-preimage functions, which the step
///         never calls. lib-keccak is a git submodule of the optimism
///         repository and is absent from the optimism Go module, so this file
///         stands in for it at the remapped path
///         lib/lib-keccak/contracts/lib/LibKeccak.sol. The layout is lib-keccak's:
///         the 25 lanes of the Keccak-f[1600] state, one uint64 each.
library LibKeccak {
    struct StateMatrix {
        uint64[25] state;
    }
}
