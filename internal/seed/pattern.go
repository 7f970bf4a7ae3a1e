package seed

// PatternReader is an endless source of pseudo-random bytes (xorshift64), the same for a
// given seed on every run: data objects of any size without holding them in memory.
type PatternReader struct{ state uint64 }

// NewPatternReader starts the bytes of seed.
func NewPatternReader(seed uint64) *PatternReader {
	return &PatternReader{state: seed*0x9e3779b97f4a7c15 | 1}
}

func (r *PatternReader) Read(b []byte) (int, error) {
	for i := range b {
		r.state ^= r.state << 13
		r.state ^= r.state >> 7
		r.state ^= r.state << 17
		b[i] = byte(r.state)
	}
	return len(b), nil
}
