// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

/// @title BondVault
/// @notice Holds the bonds of OPcity dispute games, with a withdrawal delay: the custody of OP's
///         DelayedWETH, in plain ether. A game deposits every bond it receives under its own
///         account; when a party claims credit the game first unlocks the amount for that party,
///         and only DELAY seconds later can the game withdraw it to the party. The owner (the
///         factory's owner) may hold a game's funds during the delay by retiring the game in the
///         factory, which turns its distribution into REFUND; it cannot move funds itself.
contract BondVault {
    /// @notice One unlocked withdrawal: its amount and the time it was unlocked.
    struct Withdrawal {
        uint256 amount;
        uint256 unlockedAt;
    }

    /// @notice The seconds between unlocking and withdrawing.
    uint256 public immutable DELAY;

    /// @notice Ether held for each game.
    mapping(address => uint256) public balanceOf;

    /// @notice Unlocked withdrawals by game and recipient.
    mapping(address => mapping(address => Withdrawal)) public withdrawals;

    error InsufficientBalance();
    error NotUnlocked();
    error DelayNotOver();
    error TransferFailed();

    event Deposited(address indexed game, uint256 amount);
    event Unlocked(address indexed game, address indexed recipient, uint256 amount);
    event Withdrawn(address indexed game, address indexed recipient, uint256 amount);

    constructor(uint256 _delay) {
        DELAY = _delay;
    }

    /// @notice Credits msg.value to the calling game.
    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Unlocks _amount of the calling game's ether for _recipient; the delay starts again.
    function unlock(address _recipient, uint256 _amount) external {
        Withdrawal storage w = withdrawals[msg.sender][_recipient];
        w.amount += _amount;
        w.unlockedAt = block.timestamp;
        emit Unlocked(msg.sender, _recipient, _amount);
    }

    /// @notice Sends _recipient the calling game's ether unlocked for it, DELAY seconds after the
    ///         unlock, and returns the amount.
    function withdraw(address _recipient) external returns (uint256 amount_) {
        Withdrawal memory w = withdrawals[msg.sender][_recipient];
        if (w.amount == 0) revert NotUnlocked();
        if (block.timestamp < w.unlockedAt + DELAY) revert DelayNotOver();
        if (balanceOf[msg.sender] < w.amount) revert InsufficientBalance();
        delete withdrawals[msg.sender][_recipient];
        balanceOf[msg.sender] -= w.amount;
        amount_ = w.amount;
        (bool ok,) = payable(_recipient).call{ value: amount_ }("");
        if (!ok) revert TransferFailed();
        emit Withdrawn(msg.sender, _recipient, amount_);
    }
}
