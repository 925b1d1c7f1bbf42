// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

import { BondVault } from "contracts/src/BondVault.sol";
import { OPcityGameFactory, IOPcityGameRegistry, IOPcityGameInit } from "contracts/src/OPcityGameFactory.sol";

/// @notice The one-step verifier a game type names: MIPS64.sol, MIPS64OPcity, or any contract
///         with MIPS64.sol's step signature.
interface IStepVM {
    function step(bytes calldata _stateData, bytes calldata _proof, bytes32 _localContext) external returns (bytes32);
}

/// @notice The part of the preimage oracle the game writes: local data keyed by the game.
interface ILocalDataOracle {
    function loadLocalData(uint256 _ident, bytes32 _localContext, bytes32 _word, uint256 _size, uint256 _partOffset)
        external
        returns (bytes32);
}

/// @title OPcityDisputeGame
/// @notice One three-phase OPcity dispute game, held action by action to the Go rules of package
///         dispute (docs/dispute.md; the differential tests TestEVM_DISPUTE_* replay the
///         simulator's games against it). Phase 1 bisects output roots (depths 0..split1), phase
///         2 the disputed job's graph states (split1+1..split2), phase 3 the disputed node's VM
///         states (split2+1..maxDepth); a VM step counters a claim at maxDepth, a transition step
///         a claim at split2.
///
///         Every rejection reverts with the error named after the Go rule's Code (CodeGameOver is
///         GameOver(), ...); the checks run in the Go rule's order, so the first failing rule
///         names the same code. The reverts that have no Go code are marked "on chain only":
///         they guard calldata the Go rules do not need (a sibling list re-supplied for a stored
///         opening, a local-data identifier), never a rule.
contract OPcityDisputeGame is IOPcityGameInit {
    // ---- errors: one per dispute.Code, in the Go rule's numbering --------------------------
    error GameOver(); // CodeGameOver 1
    error BadIndex(); // CodeBadIndex 2
    error DefendRoot(); // CodeDefendRoot 3
    error BadDepth(); // CodeDepth 4
    error WrongBond(); // CodeWrongBond 5
    error ClockExpired(); // CodeClockExpired 6
    error DuplicateClaim(); // CodeDuplicate 7
    error SubgameResolved(); // CodeResolved 8
    error UnboundPhaseRoot(); // CodeUnboundPhaseRoot 9
    error BadOpening(); // CodeBadOpening 10
    error DataUnavailable(); // CodeUnavailable 11
    error StepPrestate(); // CodeStepPrestate 12
    error StepFailed(); // CodeStepFailed 13
    error ValidStep(); // CodeValidStep 14
    error DuplicateStep(); // CodeDuplicateStep 15
    error ClockNotExpired(); // CodeClockNotExpired 16
    error OutOfOrder(); // CodeOutOfOrder 17
    error NotResolved(); // CodeNotResolved 18
    // on chain only
    error AlreadyInitialized();
    error BadSiblings();
    error BadLocalIdent();
    error NotFinal();
    error NoCredit();

    /// @notice Status, as dispute.Status.
    uint8 internal constant IN_PROGRESS = 0;
    uint8 internal constant CHALLENGER_WINS = 1;
    uint8 internal constant DEFENDER_WINS = 2;

    /// @notice Bond distribution after the game is closed (OP's BondDistributionMode).
    uint8 internal constant MODE_UNDECIDED = 0;
    uint8 internal constant MODE_NORMAL = 1;
    uint8 internal constant MODE_REFUND = 2;

    /// @notice A claim's graph-state opening (dispute.Opening): a table leaf and its siblings,
    ///         leaf level first.
    struct Opening {
        bytes32 leaf;
        bytes32[] siblings;
    }

    /// @notice One claim. ctx2 and ctx3 are the indices of the phase-2 and phase-3 roots whose
    ///         context (dispute.Context) the claim inherits, 0 for none (claim 0 is the game root).
    struct ClaimData {
        address claimant;
        uint64 position;
        uint32 parent;
        address counteredBy;
        uint32 ctx2;
        uint32 ctx3;
        bool resolved;
        uint128 bond;
        uint64 duration;
        uint64 timestamp;
        bytes32 value;
        bytes32 leaf;
        bytes32 siblingsHash;
    }

    /// @notice The context a phase-2 root fixes: the disputed block, its model and graph prestate.
    struct BlockContext {
        uint64 block;
        bytes32 model;
        bytes32 initialRoot;
    }

    /// @notice The context a phase-3 root fixes (dispute.Context).
    struct VMContext {
        uint64 node;
        bytes32 descriptorHash;
        bytes32 output;
        bytes32 localContext;
    }

    /// @notice OP's ResolutionCheckpoint: the state of a paginated resolveClaim.
    struct Checkpoint {
        bool started;
        uint32 next;
        uint64 leftmost;
        address counter;
    }

    IOPcityGameRegistry public factory;
    uint256 public typeId;
    OPcityGameFactory.GameType internal t;
    BondVault public vault;
    uint8 public status;
    uint8 public bondDistributionMode;
    uint64 public resolvedAt;

    ClaimData[] public claims;
    mapping(uint256 => uint256[]) internal subgames;
    mapping(bytes32 => bool) internal claimHashes;
    mapping(uint256 => BlockContext) public blockContexts;
    mapping(uint256 => VMContext) public vmContexts;
    mapping(uint256 => Checkpoint) public checkpoints;

    /// @notice Uploaded tensors (dispute.Game.UploadTensor): keccak256 of the bytes by commitment
    ///         and length.
    mapping(bytes32 => mapping(uint256 => bytes32)) public tensorDigests;

    mapping(address => uint256) public normalModeCredit;
    mapping(address => uint256) public refundModeCredit;
    mapping(address => bool) public unlocked;

    event Move(uint256 indexed parentIndex, bytes32 indexed claim, address indexed claimant);
    event Resolved(uint8 indexed status);

    /// @inheritdoc IOPcityGameInit
    function initialize(uint256 _typeId, bytes32 _rootClaim, address _proposer) external payable {
        if (address(factory) != address(0)) revert AlreadyInitialized();
        factory = IOPcityGameRegistry(msg.sender);
        typeId = _typeId;
        t = factory.gameTypeOf(_typeId);
        vault = factory.vault();
        if (msg.value != factory.bond(_typeId, 0)) revert WrongBond();
        claims.push(
            ClaimData({
                claimant: _proposer,
                position: 1,
                parent: type(uint32).max,
                counteredBy: address(0),
                ctx2: 0,
                ctx3: 0,
                resolved: false,
                bond: uint128(msg.value),
                duration: 0,
                timestamp: uint64(block.timestamp),
                value: _rootClaim,
                leaf: bytes32(0),
                siblingsHash: bytes32(0)
            })
        );
        refundModeCredit[_proposer] += msg.value;
        vault.deposit{ value: msg.value }();
    }

    // ---- moves ------------------------------------------------------------------------------

    /// @notice dispute.Game.Move: a claim _claim against claim _parentIndex, which must hold
    ///         _disputed, with msg.value the bond of the new depth. _opening is required on a
    ///         phase-2 claim (an empty sibling list stands for none); _postSiblings and _operands
    ///         only on a phase-3 root (the siblings of the disputed poststate claim's stored
    ///         opening, and the openings of the node's operands in the agreed graph state).
    function move(
        bytes32 _disputed,
        uint256 _parentIndex,
        bytes32 _claim,
        bool _isAttack,
        Opening calldata _opening,
        bytes32[] calldata _postSiblings,
        Opening[] calldata _operands
    )
        external
        payable
    {
        (uint64 pos, uint64 duration) = checkMove(_disputed, _parentIndex, _claim, _isAttack);
        uint256 index = pushClaim(_parentIndex, pos, duration, _claim);
        checkPhase(index, _isAttack, _opening, _postSiblings, _operands);
        subgames[_parentIndex].push(index);
        refundModeCredit[msg.sender] += msg.value;
        vault.deposit{ value: msg.value }();
        emit Move(_parentIndex, _claim, msg.sender);
    }

    /// @notice The rules of dispute.Game.Move before the phase rules, in the Go rule's order; it
    ///         returns the new position and the new claim's clock duration.
    function checkMove(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim, bool _isAttack)
        internal
        returns (uint64 pos_, uint64 duration_)
    {
        if (status != IN_PROGRESS) revert GameOver();
        if (_parentIndex >= claims.length || claims[_parentIndex].value != _disputed) revert BadIndex();
        ClaimData storage p = claims[_parentIndex];
        if (p.resolved) revert SubgameResolved();
        if (!_isAttack && isRoot(depthOf(p.position))) revert DefendRoot();
        pos_ = moveTo(p.position, _isAttack);
        uint256 d = depthOf(pos_);
        if (d > t.maxDepth) revert BadDepth();
        if (msg.value != factory.bond(typeId, d)) revert WrongBond();
        duration_ = challengerDuration(_parentIndex);
        if (duration_ >= t.maxClock) revert ClockExpired();
        uint64 ext = extension(d);
        if (duration_ > t.maxClock - ext) duration_ = t.maxClock - ext;
        bytes32 h = keccak256(abi.encode(_parentIndex, pos_, _claim));
        if (claimHashes[h]) revert DuplicateClaim();
        claimHashes[h] = true;
    }

    /// @notice Appends the new claim, inheriting its parent's contexts, and returns its index.
    function pushClaim(uint256 _parentIndex, uint64 _pos, uint64 _duration, bytes32 _claim) internal returns (uint256 index_) {
        ClaimData storage p = claims[_parentIndex];
        index_ = claims.length;
        claims.push(
            ClaimData({
                claimant: msg.sender,
                position: _pos,
                parent: uint32(_parentIndex),
                counteredBy: address(0),
                ctx2: p.ctx2,
                ctx3: p.ctx3,
                resolved: false,
                bond: uint128(msg.value),
                duration: _duration,
                timestamp: uint64(block.timestamp),
                value: _claim,
                leaf: bytes32(0),
                siblingsHash: bytes32(0)
            })
        );
    }

    /// @notice dispute's checkPhase: the opening of a phase-2 claim, then the binding of a phase
    ///         root to its parent phase.
    function checkPhase(uint256 _index, bool _isAttack, Opening calldata _opening, bytes32[] calldata _postSiblings, Opening[] calldata _operands)
        internal
    {
        ClaimData storage c = claims[_index];
        uint256 d = depthOf(c.position);
        if (d == uint256(t.split1) + 1) {
            // the phase-2 root: its block's context comes first (dispute's disputedBlock), the
            // opening needs its model
            uint256 b = traceIndex(claims[c.parent].position, t.split1) & ((uint256(1) << t.split1) - 1);
            if (!_isAttack) b++;
            OPcityGameFactory.Job memory j = factory.jobOf(typeId, b);
            blockContexts[_index] = BlockContext(uint64(b), j.model, j.initialRoot);
            c.ctx2 = uint32(_index);
            checkOpening(c, _opening);
            (bytes32 pre, uint256 post,) = transition(c.parent, _isAttack, t.split1, t.anchor);
            bool matches = keccak256(abi.encodePacked(pre, j.hash, c.value)) == claims[post].value;
            if (matches == expectInvalid(c.parent, post, _isAttack)) revert UnboundPhaseRoot();
            return;
        }
        if (phaseOf(d) == 2) checkOpening(c, _opening);
        if (d == uint256(t.split2) + 1) bindVMRoot(_index, _isAttack, _postSiblings, _operands);
    }

    /// @notice dispute's checkOpening: _o opens c's node output leaf to c's value.
    function checkOpening(ClaimData storage c, Opening calldata _o) internal {
        OPcityGameFactory.Model memory m = factory.modelOf(blockContexts[c.ctx2].model);
        if (_o.siblings.length != m.tableDepth) revert BadOpening();
        uint256 idx = entry(m, nodeIndexOf(c.position));
        if (fold(_o.leaf, idx, _o.siblings) != c.value) revert BadOpening();
        c.leaf = _o.leaf;
        c.siblingsHash = keccak256(abi.encodePacked(_o.siblings));
    }

    /// @notice dispute's bindVMRoot: the disputed graph transition is one leaf update of the
    ///         agreed state, the operands are opened in it and available, and the status byte
    ///         matches the side the root takes. It fixes the phase-3 context.
    function bindVMRoot(uint256 _index, bool _isAttack, bytes32[] calldata _postSiblings, Opening[] calldata _operands) internal {
        ClaimData storage c = claims[_index];
        (bytes32 dh, uint256 post, uint256 k) = vmRootDescriptor(c, _isAttack, _postSiblings, _operands);
        uint8 st = uint8(c.value[0]);
        if (expectInvalid(c.parent, post, _isAttack) != (st == 1 || st == 2) || st > 2) revert UnboundPhaseRoot();
        bytes32 out = claims[post].leaf;
        vmContexts[_index] = VMContext(uint64(k), dh, out, keccak256(abi.encodePacked(dh, out)));
        c.ctx3 = uint32(_index);
    }

    /// @notice The transition and descriptor checks of bindVMRoot: it returns the descriptor's
    ///         hash, the disputed poststate claim and the disputed node.
    function vmRootDescriptor(ClaimData storage c, bool _isAttack, bytes32[] calldata _postSiblings, Opening[] calldata _operands)
        internal
        view
        returns (bytes32 dh_, uint256 post_, uint256 k_)
    {
        BlockContext memory bc = blockContexts[c.ctx2];
        OPcityGameFactory.Model memory m = factory.modelOf(bc.model);
        bytes32 pre;
        (pre, post_, k_) = transition(c.parent, _isAttack, t.split2, bc.initialRoot);
        if (k_ >= m.nodes) revert UnboundPhaseRoot();
        if (!isUpdate(m, k_, pre, post_, _postSiblings)) revert UnboundPhaseRoot();
        dh_ = keccak256(descriptor(m, k_, pre, _operands));
    }

    /// @notice The canonical node descriptor (opml.NodeDescriptor.Encode) of node _k over the
    ///         operands opened in _pre: constants from the registry, other operands from the
    ///         uploaded tensors.
    function descriptor(OPcityGameFactory.Model memory m, uint256 _k, bytes32 _pre, Opening[] calldata _ops)
        internal
        view
        returns (bytes memory d_)
    {
        (uint32[] memory inputs, bytes memory graph) = factory.nodeOf(m.hash, _k);
        if (_ops.length != inputs.length) revert UnboundPhaseRoot();
        d_ = abi.encodePacked(bytes4(0x4f504e44), uint16(1), uint16(0), m.hash, uint32(_k), uint32(inputs.length));
        for (uint256 i = 0; i < inputs.length; i++) {
            uint32 id = inputs[i];
            if (_ops[i].siblings.length != m.tableDepth || fold(_ops[i].leaf, id, _ops[i].siblings) != _pre) revert BadOpening();
            OPcityGameFactory.TensorInfo memory ti = factory.tensorOf(m.hash, id);
            bytes32 commitment = ti.commitment;
            bytes32 digest = ti.digest;
            if (id >= m.consts) {
                commitment = _ops[i].leaf;
                digest = tensorDigests[commitment][ti.length];
                if (digest == bytes32(0)) revert DataUnavailable();
            }
            d_ = bytes.concat(d_, commitment, digest);
        }
        d_ = bytes.concat(d_, graph);
    }

    /// @notice dispute's isUpdate: for a node, the poststate claim's opening with its leaf zeroed
    ///         folds to _pre; past the last node, the poststate equals _pre.
    function isUpdate(OPcityGameFactory.Model memory m, uint256 _k, bytes32 _pre, uint256 _post, bytes32[] calldata _postSiblings)
        internal
        view
        returns (bool)
    {
        if (_k >= m.nodes) return claims[_post].value == _pre;
        if (keccak256(abi.encodePacked(_postSiblings)) != claims[_post].siblingsHash) revert BadSiblings();
        return fold(bytes32(0), entry(m, _k), _postSiblings) == _pre;
    }

    // ---- steps ------------------------------------------------------------------------------

    /// @notice dispute.Game.Step: counters the claim at maxDepth by one VM step through the game
    ///         type's VM, with the phase-3 root's local context.
    function step(uint256 _claimIndex, bool _isAttack, bytes calldata _stateData, bytes calldata _proof) external {
        checkStep(_claimIndex, t.maxDepth);
        (bytes32 pre, uint256 post,) = transition(_claimIndex, _isAttack, t.maxDepth, t.absolutePrestate);
        if ((keccak256(_stateData) << 8) != (pre << 8)) revert StepPrestate();
        bytes32 lc = vmContexts[claims[_claimIndex].ctx3].localContext;
        bytes32 got;
        try IStepVM(t.vm).step(_stateData, _proof, lc) returns (bytes32 h) {
            got = h;
        } catch {
            revert StepFailed();
        }
        counter(_claimIndex, post, got == claims[post].value);
    }

    /// @notice dispute.Game.StepTransition: counters the phase-2 leaf claim by what its openings
    ///         prove. _postSiblings are the poststate claim's stored siblings (unused for padding).
    function stepTransition(uint256 _claimIndex, bool _isAttack, bytes32[] calldata _postSiblings) external {
        checkStep(_claimIndex, t.split2);
        BlockContext memory bc = blockContexts[claims[_claimIndex].ctx2];
        OPcityGameFactory.Model memory m = factory.modelOf(bc.model);
        (bytes32 pre, uint256 post, uint256 k) = transition(_claimIndex, _isAttack, t.split2, bc.initialRoot);
        bool wellFormed = isUpdate(m, k, pre, post, _postSiblings);
        if (k < m.nodes && wellFormed) revert ValidStep();
        counter(_claimIndex, post, wellFormed);
    }

    function checkStep(uint256 _i, uint256 _depth) internal view {
        if (status != IN_PROGRESS) revert GameOver();
        if (_i >= claims.length) revert BadIndex();
        ClaimData storage c = claims[_i];
        if (depthOf(c.position) != _depth) revert BadDepth();
        if (c.resolved) revert SubgameResolved();
        if (c.counteredBy != address(0)) revert DuplicateStep();
    }

    /// @notice OP's step parity: the step counters the parent iff postAgree != valid.
    function counter(uint256 _parent, uint256 _post, bool _valid) internal {
        bool postAgree = (depthOf(claims[_parent].position) - depthOf(claims[_post].position)) % 2 == 0;
        if (postAgree == _valid) revert ValidStep();
        claims[_parent].counteredBy = msg.sender;
    }

    // ---- data -------------------------------------------------------------------------------

    /// @notice dispute.Game.UploadTensor: records _data's keccak256 under its commitment and
    ///         length, so a phase-3 root may name it as an operand.
    function uploadTensor(bytes calldata _data) external returns (bytes32 commitment_) {
        commitment_ = tensorRoot(_data);
        tensorDigests[commitment_][_data.length] = keccak256(_data);
    }

    /// @notice OP's addLocalData: loads local datum _ident of phase-3 claim _claimIndex's context
    ///         into the oracle, keyed by this game and the context (1: the node descriptor's
    ///         hash, 2: the claimed output commitment; the node program's guest.LocalDescriptor
    ///         and guest.LocalClaim).
    function addLocalData(uint256 _ident, uint256 _claimIndex, uint256 _partOffset) external {
        if (_claimIndex >= claims.length || claims[_claimIndex].ctx3 == 0) revert BadIndex();
        VMContext memory v = vmContexts[claims[_claimIndex].ctx3];
        bytes32 word;
        if (_ident == 1) word = v.descriptorHash;
        else if (_ident == 2) word = v.output;
        else revert BadLocalIdent();
        ILocalDataOracle(t.oracle).loadLocalData(_ident, v.localContext, word, 32, _partOffset);
    }

    // ---- resolution -------------------------------------------------------------------------

    /// @notice dispute.Game.ResolveClaim, paginated as OP's resolveClaim: scans at most
    ///         _numToResolve children (0: all) per call; the claim resolves on the call that scans
    ///         its last child. Its bond goes to the stepper or the leftmost uncountered child's
    ///         claimant, or back to its claimant.
    function resolveClaim(uint256 _claimIndex, uint256 _numToResolve) external {
        if (status != IN_PROGRESS) revert GameOver();
        if (_claimIndex >= claims.length) revert BadIndex();
        ClaimData storage c = claims[_claimIndex];
        if (c.resolved) revert SubgameResolved();
        if (challengerDuration(_claimIndex) < t.maxClock) revert ClockNotExpired();
        Checkpoint memory cp = checkpoints[_claimIndex];
        if (!cp.started) {
            cp.started = true;
            cp.counter = c.counteredBy;
        }
        uint256[] storage children = subgames[_claimIndex];
        uint256 end = children.length;
        if (_numToResolve != 0 && cp.next + _numToResolve < end) end = cp.next + _numToResolve;
        for (uint256 i = cp.next; i < end; i++) {
            ClaimData storage child = claims[children[i]];
            if (!child.resolved) revert OutOfOrder();
            if (c.counteredBy == address(0) && child.counteredBy == address(0) && (cp.leftmost == 0 || child.position < cp.leftmost)) {
                cp.counter = child.claimant;
                cp.leftmost = child.position;
            }
        }
        cp.next = uint32(end);
        if (end < children.length) {
            checkpoints[_claimIndex] = cp;
            return;
        }
        delete checkpoints[_claimIndex];
        c.resolved = true;
        c.counteredBy = cp.counter;
        address recipient = cp.counter == address(0) ? c.claimant : cp.counter;
        normalModeCredit[recipient] += c.bond;
    }

    /// @notice dispute.Game.Resolve: the challenger wins iff the root claim was countered.
    function resolve() external returns (uint8) {
        if (status != IN_PROGRESS) revert GameOver();
        if (!claims[0].resolved) revert NotResolved();
        status = claims[0].counteredBy == address(0) ? DEFENDER_WINS : CHALLENGER_WINS;
        resolvedAt = uint64(block.timestamp);
        emit Resolved(status);
        return status;
    }

    /// @notice Decides the bond distribution once the game is resolved and finalityDelay has
    ///         passed: NORMAL if the factory holds the game proper, REFUND otherwise.
    function closeGame() public {
        if (bondDistributionMode != MODE_UNDECIDED) return;
        if (status == IN_PROGRESS) revert NotResolved();
        if (block.timestamp < uint256(resolvedAt) + t.finalityDelay) revert NotFinal();
        bondDistributionMode = factory.isProper(address(this)) ? MODE_NORMAL : MODE_REFUND;
    }

    /// @notice dispute.Game.ClaimCredit in two calls, as OP's claimCredit: the first closes the
    ///         game if needed and unlocks _recipient's credit in the vault, the second, after the
    ///         vault's delay, pays it out.
    function claimCredit(address _recipient) external {
        closeGame();
        if (unlocked[_recipient]) {
            unlocked[_recipient] = false;
            vault.withdraw(_recipient);
            return;
        }
        uint256 amount = bondDistributionMode == MODE_NORMAL ? normalModeCredit[_recipient] : refundModeCredit[_recipient];
        if (amount == 0) revert NoCredit();
        normalModeCredit[_recipient] = 0;
        refundModeCredit[_recipient] = 0;
        unlocked[_recipient] = true;
        vault.unlock(_recipient, amount);
    }

    // ---- views ------------------------------------------------------------------------------

    /// @notice The number of claims.
    function claimDataLen() external view returns (uint256) {
        return claims.length;
    }

    /// @notice The children of claim _i, in order.
    function childrenOf(uint256 _i) external view returns (uint256[] memory) {
        return subgames[_i];
    }

    /// @notice The game type's parameters.
    function gameType() external view returns (OPcityGameFactory.GameType memory) {
        return t;
    }

    /// @notice dispute.Game.ChallengerDuration at the current block time.
    function challengerDuration(uint256 _i) public view returns (uint64) {
        if (_i >= claims.length) return t.maxClock;
        ClaimData storage c = claims[_i];
        uint256 parentDuration = c.parent == type(uint32).max ? 0 : claims[c.parent].duration;
        uint256 since = block.timestamp > c.timestamp ? block.timestamp - c.timestamp : 0;
        uint256 d = parentDuration + since;
        return d > t.maxClock ? t.maxClock : uint64(d);
    }

    // ---- positions and phases ---------------------------------------------------------------

    /// @notice The index of the most significant bit of a position.
    function depthOf(uint64 _p) internal pure returns (uint256 d_) {
        uint256 p = _p;
        if (p >> 32 != 0) { p >>= 32; d_ += 32; }
        if (p >> 16 != 0) { p >>= 16; d_ += 16; }
        if (p >> 8 != 0) { p >>= 8; d_ += 8; }
        if (p >> 4 != 0) { p >>= 4; d_ += 4; }
        if (p >> 2 != 0) { p >>= 2; d_ += 2; }
        if (p >> 1 != 0) d_ += 1;
    }

    function moveTo(uint64 _p, bool _attack) internal pure returns (uint64) {
        return _attack ? _p << 1 : (_p | 1) << 1;
    }

    /// @notice dispute.Position.TraceIndex.
    function traceIndex(uint64 _p, uint256 _max) internal pure returns (uint256) {
        uint256 d = depthOf(_p);
        uint256 p = _p;
        if (d < _max) {
            uint256 s = _max - d;
            p = (p << s) | ((uint256(1) << s) - 1);
            d = _max;
        }
        return p - (uint256(1) << d);
    }

    /// @notice dispute.Position.TraceAncestor.
    function traceAncestor(uint64 _p) internal pure returns (uint64) {
        uint64 p = _p;
        while (p & 1 == 1) p >>= 1;
        return p == 0 ? 1 : p;
    }

    function isRoot(uint256 _d) internal view returns (bool) {
        return _d == 0 || _d == uint256(t.split1) + 1 || _d == uint256(t.split2) + 1;
    }

    function phaseOf(uint256 _d) internal view returns (uint256) {
        if (_d <= t.split1) return 1;
        if (_d <= t.split2) return 2;
        return 3;
    }

    function phaseRootDepth(uint256 _leafDepth) internal view returns (uint256) {
        uint256 ph = phaseOf(_leafDepth);
        if (ph == 1) return 0;
        if (ph == 2) return uint256(t.split1) + 1;
        return uint256(t.split2) + 1;
    }

    /// @notice dispute.Config.Extension.
    function extension(uint256 _d) internal view returns (uint64) {
        if (_d == uint256(t.maxDepth) - 1) return t.stepExtension;
        if (_d == uint256(t.split1) - 1 || _d == uint256(t.split2) - 1) return t.phaseExtension;
        return t.clockExtension;
    }

    /// @notice dispute.Config.NodeOf: the phase-2 trace index of a position.
    function nodeIndexOf(uint64 _p) internal view returns (uint256) {
        return traceIndex(_p, t.split2) & ((uint256(1) << (t.split2 - t.split1 - 1)) - 1);
    }

    /// @notice dispute.Model.Entry.
    function entry(OPcityGameFactory.Model memory m, uint256 _k) internal pure returns (uint256) {
        uint256 last = uint256(m.nodes) - 1;
        return uint256(m.firstNodeTensor) + (_k < last ? _k : last);
    }

    /// @notice dispute's transition: the agreed prestate value, the disputed poststate claim and
    ///         the disputed trace index of a move (or step) against the phase leaf at _parent.
    function transition(uint256 _parent, bool _attack, uint256 _leafDepth, bytes32 _absolute)
        internal
        view
        returns (bytes32 pre_, uint256 post_, uint256 index_)
    {
        uint64 leaf = claims[_parent].position;
        uint256 width = _leafDepth - phaseRootDepth(_leafDepth);
        index_ = traceIndex(leaf, _leafDepth) & ((uint256(1) << width) - 1);
        if (_attack) {
            if (index_ == 0) return (_absolute, _parent, 0);
            uint256 a = findTraceAncestor(leaf - 1, _parent, _leafDepth);
            return (claims[a].value, _parent, index_);
        }
        post_ = findTraceAncestor(leaf + 1, _parent, _leafDepth);
        return (claims[_parent].value, post_, index_ + 1);
    }

    /// @notice OP's _findTraceAncestor bounded to the phase of _leafDepth.
    function findTraceAncestor(uint64 _pos, uint256 _start, uint256 _leafDepth) internal view returns (uint256) {
        uint64 target = traceAncestor(_pos);
        if (depthOf(target) < phaseRootDepth(_leafDepth)) revert BadIndex();
        uint256 i = _start;
        while (true) {
            if (claims[i].position == target) return i;
            if (i == 0) break;
            i = claims[i].parent;
        }
        revert BadIndex();
    }

    /// @notice dispute's expectInvalid (OP's _verifyExecBisectionRoot side rule).
    function expectInvalid(uint256 _parent, uint256 _post, bool _attack) internal view returns (bool) {
        return _attack || depthOf(claims[_post].position) % 2 == depthOf(claims[_parent].position) % 2;
    }

    // ---- hashing ----------------------------------------------------------------------------

    /// @notice memory.ComputePathRoot: folds _node at _index up through _siblings.
    function fold(bytes32 _node, uint256 _index, bytes32[] calldata _siblings) internal pure returns (bytes32 node_) {
        node_ = _node;
        for (uint256 i = 0; i < _siblings.length; i++) {
            node_ = (_index >> i) & 1 == 1 ? keccak256(abi.encodePacked(_siblings[i], node_)) : keccak256(abi.encodePacked(node_, _siblings[i]));
        }
    }

    /// @notice opml.ComputeTensorRoot: the region root of _data at 2^max(5, ceil(log2 len)).
    function tensorRoot(bytes calldata _data) internal pure returns (bytes32) {
        uint256 n = 1;
        while (n * 32 < _data.length) n <<= 1;
        bytes32[] memory nodes = new bytes32[](n);
        for (uint256 i = 0; i * 32 < _data.length; i++) {
            uint256 end = i * 32 + 32 < _data.length ? i * 32 + 32 : _data.length;
            nodes[i] = bytes32(_data[i * 32:end]);
        }
        while (n > 1) {
            for (uint256 i = 0; i < n / 2; i++) {
                nodes[i] = keccak256(abi.encodePacked(nodes[2 * i], nodes[2 * i + 1]));
            }
            n /= 2;
        }
        return nodes[0];
    }
}
