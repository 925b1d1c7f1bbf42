// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

import { BondVault } from "contracts/src/BondVault.sol";

/// @notice What a game asks of the game type it was created with.
interface IOPcityGameRegistry {
    function gameTypeOf(uint256 _typeId) external view returns (OPcityGameFactory.GameType memory);
    function bond(uint256 _typeId, uint256 _depth) external view returns (uint256);
    function jobOf(uint256 _typeId, uint256 _block) external view returns (OPcityGameFactory.Job memory);
    function modelOf(bytes32 _model) external view returns (OPcityGameFactory.Model memory);
    function nodeOf(bytes32 _model, uint256 _k) external view returns (uint32[] memory inputs_, bytes memory graph_);
    function tensorOf(bytes32 _model, uint256 _id) external view returns (OPcityGameFactory.TensorInfo memory);
    function isProper(address _game) external view returns (bool);
    function vault() external view returns (BondVault);
}

/// @notice The game's initializer, called once by the factory on a fresh clone.
interface IOPcityGameInit {
    function initialize(uint256 _typeId, bytes32 _rootClaim, address _proposer) external payable;
}

/// @title OPcityGameFactory
/// @notice The registry of OPcity dispute games (docs/dispute.md, "On chain"): it registers models
///         (their hash, the commitments and keccak256 digests of their constants, every tensor's
///         byte length, every node's operands and the encoded graph of its descriptor, and the
///         per-profile step bound of the node program), registers game types (the tree geometry,
///         clocks, bond table, anchor, absolute prestate, VM, preimage oracle and the inbox's
///         jobs, with the checks of the Go rule's Config.Validate and NewGame), and creates games
///         as minimal proxies (EIP-1167) of one game implementation.
///
///         The game type's jobs are the inbox the Go rules read (dispute.Inbox): the factory
///         computes each job's hash and its graph state before node 0 (ComputeGraphRoot over the
///         constants' and inputs' commitments) once, when the type is registered.
contract OPcityGameFactory is IOPcityGameRegistry {
    /// @notice A registered model.
    struct Model {
        bytes32 hash;
        uint32 tensors;
        uint32 consts;
        uint32 inputs;
        uint32 nodes;
        uint32 firstNodeTensor;
        uint8 tableDepth;
        uint32 registeredNodes;
        uint64[2] stepBound;
    }

    /// @notice A tensor of a registered model: its length in bytes and, for a constant, its
    ///         commitment and keccak256 digest.
    struct TensorInfo {
        uint64 length;
        bytes32 commitment;
        bytes32 digest;
    }

    /// @notice A node of a registered model: its operand tensor ids and the model-format encoding
    ///         of its one-node graph (the descriptor's tail, opml.NodeDescriptor.Encode).
    struct NodeInfo {
        uint32[] inputs;
        bytes graph;
    }

    /// @notice One block's job: its model, job hash and graph state before node 0.
    struct Job {
        bytes32 model;
        bytes32 hash;
        bytes32 initialRoot;
    }

    /// @notice A game type (dispute.Config).
    struct GameType {
        uint8 split1;
        uint8 split2;
        uint8 maxDepth;
        uint8 profile;
        uint64 maxClock;
        uint64 clockExtension;
        uint64 phaseExtension;
        uint64 stepExtension;
        bytes32 anchor;
        bytes32 absolutePrestate;
        address vm;
        address oracle;
        uint64 finalityDelay;
    }

    address public immutable owner;
    address public immutable implementation;
    BondVault public immutable vault;

    mapping(bytes32 => Model) internal models;
    mapping(bytes32 => mapping(uint256 => TensorInfo)) internal tensors;
    mapping(bytes32 => mapping(uint256 => NodeInfo)) internal nodes;

    GameType[] internal types;
    mapping(uint256 => uint256[]) internal bonds;
    mapping(uint256 => Job[]) internal jobs;

    mapping(address => bool) public isGame;
    mapping(address => bool) public retired;
    address[] public games;

    error NotOwner();
    error BadConfig();
    error UnknownModel();
    error ModelExists();
    error NoSuchType();
    error CloneFailed();

    event ModelRegistered(bytes32 indexed model);
    event GameTypeRegistered(uint256 indexed typeId);
    event GameCreated(address indexed game, uint256 indexed typeId, bytes32 rootClaim);

    constructor(address _implementation, BondVault _vault) {
        owner = msg.sender;
        implementation = _implementation;
        vault = _vault;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Registers a model: its header and every tensor's length, constants' commitments and
    ///         digests (index < _m.consts). Its nodes follow with registerNode.
    function registerModel(Model calldata _m, uint64[] calldata _lengths, bytes32[] calldata _constCommitments, bytes32[] calldata _constDigests)
        external
        onlyOwner
    {
        if (models[_m.hash].hash != bytes32(0)) revert ModelExists();
        if (_lengths.length != _m.tensors || _constCommitments.length != _m.consts || _constDigests.length != _m.consts) revert BadConfig();
        if (_m.nodes == 0 || _m.consts + _m.inputs + _m.nodes != _m.tensors || _m.firstNodeTensor != _m.consts + _m.inputs) revert BadConfig();
        if ((uint256(1) << _m.tableDepth) < _m.tensors || (_m.tableDepth > 0 && (uint256(1) << (_m.tableDepth - 1)) >= _m.tensors)) revert BadConfig();
        Model storage m = models[_m.hash];
        m.hash = _m.hash;
        m.tensors = _m.tensors;
        m.consts = _m.consts;
        m.inputs = _m.inputs;
        m.nodes = _m.nodes;
        m.firstNodeTensor = _m.firstNodeTensor;
        m.tableDepth = _m.tableDepth;
        m.stepBound = _m.stepBound;
        for (uint256 i = 0; i < _lengths.length; i++) {
            TensorInfo storage t = tensors[_m.hash][i];
            t.length = _lengths[i];
            if (i < _m.consts) {
                t.commitment = _constCommitments[i];
                t.digest = _constDigests[i];
            }
        }
        emit ModelRegistered(_m.hash);
    }

    /// @notice Registers node _k of a model, in order.
    function registerNode(bytes32 _model, uint32 _k, uint32[] calldata _inputs, bytes calldata _graph) external onlyOwner {
        Model storage m = models[_model];
        if (m.hash == bytes32(0)) revert UnknownModel();
        if (_k != m.registeredNodes || _k >= m.nodes) revert BadConfig();
        for (uint256 i = 0; i < _inputs.length; i++) {
            if (_inputs[i] >= m.firstNodeTensor + _k) revert BadConfig();
        }
        nodes[_model][_k] = NodeInfo(_inputs, _graph);
        m.registeredNodes = _k + 1;
    }

    /// @notice Registers a game type with its bond table (wei per depth 0..maxDepth+1) and its
    ///         inbox (the job of every block, 2^split1 of them), and returns its id. The checks
    ///         are Config.Validate's and NewGame's (all revert BadConfig).
    function registerGameType(GameType calldata _t, uint256[] calldata _bonds, bytes32[] calldata _jobModels, bytes32[][] calldata _jobInputs)
        external
        onlyOwner
        returns (uint256 id_)
    {
        checkType(_t, _bonds);
        if (_jobModels.length != uint256(1) << _t.split1 || _jobInputs.length != _jobModels.length) revert BadConfig();
        id_ = types.length;
        types.push(_t);
        for (uint256 i = 0; i < _bonds.length; i++) bonds[id_].push(_bonds[i]);
        for (uint256 b = 0; b < _jobModels.length; b++) {
            jobs[id_].push(checkJob(_t, _jobModels[b], _jobInputs[b]));
        }
        emit GameTypeRegistered(id_);
    }

    function checkType(GameType calldata _t, uint256[] calldata _bonds) internal pure {
        if (_t.split1 < 1 || _t.split2 < _t.split1 + 1 || _t.maxDepth < _t.split2 + 2 || _t.maxDepth > 61) revert BadConfig();
        uint64 ext = _t.clockExtension;
        if (_t.phaseExtension > ext) ext = _t.phaseExtension;
        if (_t.stepExtension > ext) ext = _t.stepExtension;
        if (_t.maxClock == 0 || 2 * uint256(ext) > _t.maxClock) revert BadConfig();
        if (_t.profile > 1 || _bonds.length != uint256(_t.maxDepth) + 2) revert BadConfig();
        for (uint256 i = 1; i < _bonds.length; i++) {
            if (_bonds[i] < _bonds[i - 1]) revert BadConfig();
        }
    }

    function checkJob(GameType calldata _t, bytes32 _model, bytes32[] calldata _inputs) internal view returns (Job memory j_) {
        Model storage m = models[_model];
        if (m.hash == bytes32(0) || m.registeredNodes != m.nodes) revert BadConfig();
        if (m.nodes > uint256(1) << (_t.split2 - _t.split1 - 1) || _inputs.length != m.inputs) revert BadConfig();
        uint64 bound = m.stepBound[_t.profile];
        if (bound == 0 || bound > uint256(1) << (_t.maxDepth - _t.split2 - 1)) revert BadConfig();
        bytes32[] memory entries = new bytes32[](uint256(1) << m.tableDepth);
        for (uint256 i = 0; i < m.consts; i++) entries[i] = tensors[_model][i].commitment;
        for (uint256 i = 0; i < _inputs.length; i++) entries[m.consts + i] = _inputs[i];
        j_.model = _model;
        j_.hash = keccak256(abi.encodePacked(_model, _inputs));
        j_.initialRoot = merkleRoot(entries);
    }

    /// @notice The Merkle root of _leaves (a power of two of them), pairs hashed with keccak256.
    function merkleRoot(bytes32[] memory _leaves) internal pure returns (bytes32) {
        uint256 n = _leaves.length;
        while (n > 1) {
            for (uint256 i = 0; i < n / 2; i++) {
                _leaves[i] = keccak256(abi.encodePacked(_leaves[2 * i], _leaves[2 * i + 1]));
            }
            n /= 2;
        }
        return _leaves[0];
    }

    /// @notice Creates a game of type _typeId with root claim _rootClaim; msg.value must be the
    ///         depth-0 bond (the game checks it).
    function create(uint256 _typeId, bytes32 _rootClaim) external payable returns (address game_) {
        if (_typeId >= types.length) revert NoSuchType();
        game_ = clone(implementation);
        isGame[game_] = true;
        games.push(game_);
        IOPcityGameInit(game_).initialize{ value: msg.value }(_typeId, _rootClaim, msg.sender);
        emit GameCreated(game_, _typeId, _rootClaim);
    }

    /// @notice Retires a game: once resolved it pays out in REFUND mode.
    function retire(address _game) external onlyOwner {
        retired[_game] = true;
    }

    /// @inheritdoc IOPcityGameRegistry
    function isProper(address _game) external view returns (bool) {
        return isGame[_game] && !retired[_game];
    }

    /// @inheritdoc IOPcityGameRegistry
    function gameTypeOf(uint256 _typeId) external view returns (GameType memory) {
        return types[_typeId];
    }

    /// @inheritdoc IOPcityGameRegistry
    function bond(uint256 _typeId, uint256 _depth) external view returns (uint256) {
        return bonds[_typeId][_depth];
    }

    /// @inheritdoc IOPcityGameRegistry
    function jobOf(uint256 _typeId, uint256 _block) external view returns (Job memory) {
        return jobs[_typeId][_block];
    }

    /// @inheritdoc IOPcityGameRegistry
    function modelOf(bytes32 _model) external view returns (Model memory) {
        return models[_model];
    }

    /// @inheritdoc IOPcityGameRegistry
    function nodeOf(bytes32 _model, uint256 _k) external view returns (uint32[] memory inputs_, bytes memory graph_) {
        NodeInfo storage n = nodes[_model][_k];
        return (n.inputs, n.graph);
    }

    /// @inheritdoc IOPcityGameRegistry
    function tensorOf(bytes32 _model, uint256 _id) external view returns (TensorInfo memory) {
        return tensors[_model][_id];
    }

    /// @notice Deploys an EIP-1167 minimal proxy of _target.
    function clone(address _target) internal returns (address instance_) {
        assembly {
            let p := mload(0x40)
            mstore(p, 0x3d602d80600a3d3981f3363d3d373d3d3d363d73000000000000000000000000)
            mstore(add(p, 0x14), shl(0x60, _target))
            mstore(add(p, 0x28), 0x5af43d82803e903d91602b57fd5bf30000000000000000000000000000000000)
            instance_ := create(0, p, 0x37)
        }
        if (instance_ == address(0)) revert CloneFailed();
    }
}
