package results

import (
	"fmt"
	"strings"

	"github.com/vjepa-go/vjepa/probe"
)

// links numbers the records a page cites: a table cell carries the short reference link
// "[r3]" and the page ends with the definitions "[r3]: runs/<id>.json", so rows stay narrow
// and each still opens the record's JSON.
type links struct {
	prefix string // path from the page to the records, e.g. "runs/"
	ids    []string
	index  map[string]int
}

func newLinks(prefix string) *links { return &links{prefix: prefix, index: map[string]int{}} }

// ref is the short link of a record, numbered on first use.
func (l *links) ref(r *probe.Record) string {
	i, ok := l.index[r.ID]
	if !ok {
		l.ids = append(l.ids, r.ID)
		i = len(l.ids)
		l.index[r.ID] = i
	}
	return fmt.Sprintf("[r%d]", i)
}

// refs are the short links of several records, space separated.
func (l *links) refs(rs []*probe.Record) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = l.ref(r)
	}
	return strings.Join(out, " ")
}

// definitions are the link definitions, one a line, in numbering order.
func (l *links) definitions() string {
	var b strings.Builder
	for i, id := range l.ids {
		fmt.Fprintf(&b, "[r%d]: %s%s.json\n", i+1, l.prefix, id)
	}
	return b.String()
}
