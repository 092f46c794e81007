package api

// DecodeFlat and DecodeFull are the two ways DecodeRequest decodes, for the
// test that holds them to the same answers.
var (
	DecodeFlat = decodeFlat
	DecodeFull = decodeFull
)
