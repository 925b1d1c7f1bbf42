// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

/// @title StepOracle
/// @notice A preimage oracle for running MIPS64.sol's step: the read
///         interface of the optimism PreimageOracle (readPreimage) and the
///         loaders of the key types whose value the chain can check from the
///         value alone (local, keccak256, sha256), with PreimageOracle's rules:
///
///         - a preimage is served in 32-byte parts of the stream
///           uint64be(size) ‖ preimage, each part loaded by its offset; a part at
///           an offset >= size + 8 cannot be loaded (PartOffsetOOB);
///         - a local key (type 1) is localized by the caller of the loader:
///           key = keccak256(ident' ‖ caller ‖ localContext) with byte 0 set to 1,
///           where ident' is the identifier with byte 0 set to 1. MIPS64.sol
///           localizes the key it reads with the caller of step, so local data
///           must be loaded by the account that calls step;
///         - local data is at most 32 bytes;
///         - keccak256 keys (type 2) and sha256 keys (type 4) are the hash of
///           the preimage with byte 0 set to the type.
///
///         Keys of other types (blobs, precompile results) have no loader: a
///         step that reads one reverts with "pre-image must exist", as it does
///         on chain when no one has loaded the part.
contract StepOracle {
    /// @notice A part offset at or past the end of the length-prefixed stream,
    ///         or local data longer than 32 bytes.
    error PartOffsetOOB();

    /// @notice Size of the preimage (without its length prefix) under a key.
    mapping(bytes32 => uint256) public preimageLengths;
    /// @notice The 32 bytes of the prefixed stream at an offset, zero padded.
    mapping(bytes32 => mapping(uint256 => bytes32)) public preimageParts;
    /// @notice Whether the part at an offset was loaded.
    mapping(bytes32 => mapping(uint256 => bool)) public preimagePartOk;

    /// @notice Returns the part of key's prefixed stream at offset and how many
    ///         of its bytes belong to the stream: 32, or fewer at its end.
    ///         Reverts with "pre-image must exist" for a part not loaded.
    function readPreimage(bytes32 _key, uint256 _offset) external view returns (bytes32 dat_, uint256 datLen_) {
        require(preimagePartOk[_key][_offset], "pre-image must exist");
        uint256 remaining = preimageLengths[_key] + 8 - _offset;
        datLen_ = remaining < 32 ? remaining : 32;
        dat_ = preimageParts[_key][_offset];
    }

    /// @notice Loads the part at _partOffset of local data _word (its first
    ///         _size bytes) under the identifier _ident localized for the
    ///         caller and _localContext, and returns that key.
    function loadLocalData(
        uint256 _ident,
        bytes32 _localContext,
        bytes32 _word,
        uint256 _size,
        uint256 _partOffset
    )
        external
        returns (bytes32 key_)
    {
        if (_size > 32 || _partOffset >= _size + 8) revert PartOffsetOOB();
        bytes32 typed = bytes32((_ident & ~(uint256(0xff) << 248)) | (uint256(1) << 248));
        key_ = localKey(typed, msg.sender, _localContext);
        store(key_, _size, _partOffset, partAt(abi.encodePacked(uint64(_size), _word), _partOffset));
    }

    /// @notice Loads the part at _partOffset of _preimage under its keccak256 key.
    function loadKeccak256PreimagePart(uint256 _partOffset, bytes calldata _preimage) external {
        if (_partOffset >= _preimage.length + 8) revert PartOffsetOOB();
        bytes32 key = typedKey(keccak256(_preimage), 2);
        store(key, _preimage.length, _partOffset, partAt(abi.encodePacked(uint64(_preimage.length), _preimage), _partOffset));
    }

    /// @notice Loads the part at _partOffset of _preimage under its sha256 key.
    function loadSha256PreimagePart(uint256 _partOffset, bytes calldata _preimage) external {
        if (_partOffset >= _preimage.length + 8) revert PartOffsetOOB();
        bytes32 key = typedKey(sha256(_preimage), 4);
        store(key, _preimage.length, _partOffset, partAt(abi.encodePacked(uint64(_preimage.length), _preimage), _partOffset));
    }

    /// @notice Returns the local key of a type-1 key for a caller and a local
    ///         context: keccak256(key ‖ caller as a 32-byte word ‖ context) with
    ///         byte 0 set to 1, the localization MIPS64.sol applies when it reads.
    function localKey(bytes32 _key, address _caller, bytes32 _localContext) public pure returns (bytes32) {
        return typedKey(keccak256(abi.encode(_key, _caller, _localContext)), 1);
    }

    /// @notice Returns h with its most significant byte replaced by keyType.
    function typedKey(bytes32 _h, uint8 _keyType) internal pure returns (bytes32) {
        return bytes32((uint256(_h) & ~(uint256(0xff) << 248)) | (uint256(_keyType) << 248));
    }

    /// @notice Returns the 32 bytes of stream at offset, zero past its end.
    function partAt(bytes memory _stream, uint256 _offset) internal pure returns (bytes32 part_) {
        for (uint256 i = 0; i < 32 && _offset + i < _stream.length; i++) {
            part_ |= bytes32(_stream[_offset + i]) >> (8 * i);
        }
    }

    function store(bytes32 _key, uint256 _size, uint256 _offset, bytes32 _part) internal {
        preimagePartOk[_key][_offset] = true;
        preimageParts[_key][_offset] = _part;
        preimageLengths[_key] = _size;
    }
}
