package vectors

// ChangedWords exports changedWords to the external tests.
var ChangedWords = changedWords
