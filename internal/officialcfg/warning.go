package officialcfg

import "fmt"

// Warning is a non-fatal remark about a configuration file, such as an unknown key.
type Warning struct {
	File string // path of the configuration file as given to the loader
	Line int    // 1-based line of the key, 0 if unknown
	Key  string // dotted key path, e.g. "data.foo" or "mask.1.foo"
	Msg  string // the remark, e.g. "unknown key data.foo"
}

// String formats the warning as "file:line: message".
func (w Warning) String() string {
	return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
}

// KeyError reports a key whose value has the wrong type or an invalid value.
type KeyError struct {
	File string // path of the configuration file
	Line int    // 1-based line of the value
	Key  string // dotted key path
	Want string // what was expected, e.g. "integer"
	Got  string // what was found, e.g. `string "x"`
}

// Error formats the error as "file:line: key: expected WANT, found GOT".
func (e *KeyError) Error() string {
	return fmt.Sprintf("%s:%d: %s: expected %s, found %s", e.File, e.Line, e.Key, e.Want, e.Got)
}
