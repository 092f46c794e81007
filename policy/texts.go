package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/placement-advisor/advise/api"
)

var recommendationNames = map[string][2]string{
	api.RecommendVM:        {"virtual machines", "虚拟机"},
	api.RecommendContainer: {"containers", "容器"},
	api.RecommendHybrid:    {"a hybrid", "混合方案"},
}

// whatIfSummary says a variation in one sentence, in English or Chinese.
func whatIfSummary(changes []api.Change, v verdict, lang Lang) string {
	name := recommendationNames[v.Recommendation]
	var b strings.Builder
	b.Grow(128)
	if lang == Chinese {
		b.WriteString("若")
		for i, c := range changes {
			if i > 0 {
				b.WriteString("并")
			}
			if c.Value == nil {
				b.WriteString("不设 " + c.Field)
				continue
			}
			b.WriteString("将 " + c.Field + " 设为 ")
			b.WriteString(formatValue(c.Value))
		}
		b.WriteString("，建议将变为" + name[1])
		if v.HybridPattern != "" {
			b.WriteString("（" + v.HybridPattern + "）")
		}
		b.WriteString("。")
		return b.String()
	}
	for i, c := range changes {
		switch {
		case i > 0 && c.Value == nil:
			b.WriteString(" and leaving out ")
		case i > 0:
			b.WriteString(" and setting ")
		case c.Value == nil:
			b.WriteString("Leaving out ")
		default:
			b.WriteString("Setting ")
		}
		b.WriteString(c.Field)
		if c.Value != nil {
			b.WriteString(" to ")
			b.WriteString(formatValue(c.Value))
		}
	}
	b.WriteString(" would change the advice to " + name[0])
	if v.HybridPattern != "" {
		b.WriteString(" (" + v.HybridPattern + ")")
	}
	b.WriteString(".")
	return b.String()
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "unset"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
