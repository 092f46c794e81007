package api

import (
	"errors"
	"reflect"
	"slices"
	"strings"

	"github.com/go-playground/validator/v10"
)

// ErrInvalid marks a well-formed request whose values break contract v1. Match
// it with errors.Is and read the fields from *ValidationError.
var ErrInvalid = errors.New("invalid request")

// FieldError is one broken rule: the field by its JSON name, the rule it broke
// (validator's tag, or a cross-field rule's name) and a sentence for people.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// ValidationError lists every field that broke a rule, not just the first.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// Is makes every ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Validator checks requests against contract v1. It is safe for concurrent use;
// build one and share it, since building caches reflection data.
type Validator struct {
	v *validator.Validate
}

// NewValidator builds a Validator that reports fields by their JSON names.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	// Free text goes into terminals, Markdown reviews and YAML: a control
	// character or a bidirectional override there can rewrite what a
	// reader sees (an escape sequence retitles a terminal or clears it, an
	// override reverses text), so the contract refuses them.
	if err := v.RegisterValidation("plain_text", func(fl validator.FieldLevel) bool {
		return !strings.ContainsFunc(fl.Field().String(), unsafeRune)
	}); err != nil {
		panic(err) // a programming error: the tag is registered once, here
	}
	return &Validator{v: v}
}

// Validate returns a *ValidationError listing every broken rule, or nil.
func (val *Validator) Validate(req *Request) error {
	var fields []FieldError
	if err := val.v.Struct(req); err != nil {
		var verrs validator.ValidationErrors
		if !errors.As(err, &verrs) {
			return err
		}
		for _, fe := range verrs {
			fields = append(fields, FieldError{Field: fe.Field(), Rule: fe.Tag(), Message: message(fe)})
		}
	}
	fields = append(fields, Contradictions(req)...)
	if len(fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: fields}
}

// Contradictions lists the rules relating two fields that req breaks, the part
// of Validate that a change of one valid value for another can break. Each
// contradiction is an error rather than a guess at what the caller meant.
func Contradictions(req *Request) []FieldError {
	var out []FieldError
	for _, rule := range crossFieldRules {
		if rule.broken(req) {
			out = append(out, rule.err)
		}
	}
	return out
}

// CrossFields names the fields the rules relating two fields read: a change
// to any other field cannot make a request contradict itself.
func CrossFields() []string {
	var out []string
	for _, rule := range crossFieldRules {
		for _, f := range rule.fields {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// CrossFieldRules lists the rules relating two fields or more, each as the
// error a request breaking it gets: the field blamed, the rule's name and the
// message.
func CrossFieldRules() []FieldError {
	out := make([]FieldError, len(crossFieldRules))
	for i, rule := range crossFieldRules {
		out[i] = rule.err
	}
	return out
}

// crossFieldRules are the rules relating two fields or more, each with the
// fields it reads (TestCrossFieldsAreWhatContradictionsRead holds the lists
// to the checks).
var crossFieldRules = []struct {
	fields []string
	broken func(req *Request) bool
	err    FieldError
}{
	{
		fields: []string{"tenants_trusted", "multi_tenant"},
		broken: func(req *Request) bool {
			return isTrue(req.TenantsTrusted) && req.MultiTenant != nil && !*req.MultiTenant
		},
		err: FieldError{
			Field:   "tenants_trusted",
			Rule:    "requires_multi_tenant",
			Message: "can only be true when multi_tenant is true: a single-tenant workload has no other tenants to trust",
		},
	},
	{
		fields: []string{"tenants", "multi_tenant"},
		broken: func(req *Request) bool {
			return req.Tenants != nil && req.MultiTenant != nil && !*req.MultiTenant
		},
		err: FieldError{
			Field:   "tenants",
			Rule:    "requires_multi_tenant",
			Message: "can only be given when multi_tenant is true: a single-tenant workload has one tenant",
		},
	},
	{
		fields: []string{"full_os", "architecture"},
		broken: func(req *Request) bool {
			return isTrue(req.FullOS) && req.Architecture != nil && *req.Architecture == "microservices"
		},
		err: FieldError{
			Field:   "full_os",
			Rule:    "conflicts_with_microservices",
			Message: "cannot be true with architecture microservices: microservices run one service per instance, a full OS runs several",
		},
	},
	{
		fields: []string{"mixed_components", "architecture"},
		broken: func(req *Request) bool {
			return isTrue(req.MixedComponents) && (req.Architecture == nil || *req.Architecture == "monolith")
		},
		err: FieldError{
			Field:   "mixed_components",
			Rule:    "requires_components",
			Message: "can only be true with architecture microservices or batch: a monolith has no components to split",
		},
	},
	{
		fields: []string{"mixed_components", "needs_windows", "host_os", "custom_kernel"},
		broken: func(req *Request) bool {
			if !isTrue(req.MixedComponents) {
				return false
			}
			hostWindows := req.HostOS != nil && *req.HostOS == "windows"
			return isTrue(req.NeedsWindows) == hostWindows && !isTrue(req.CustomKernel)
		},
		err: FieldError{
			Field:   "mixed_components",
			Rule:    "requires_a_vm_part",
			Message: "can only be true when some part needs another OS than the hosts' or its own kernel (needs_windows against host_os, or custom_kernel)",
		},
	},
	{
		fields: []string{"density", "instances"},
		broken: func(req *Request) bool {
			return req.Density != nil && *req.Density == "high" && req.Instances != nil && *req.Instances == 1
		},
		err: FieldError{
			Field:   "density",
			Rule:    "needs_several_instances",
			Message: "cannot be high with instances 1: there is nothing to pack densely",
		},
	},
}

func isTrue(p *bool) bool { return p != nil && *p }

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "min":
		if fe.Kind() == reflect.String {
			return "must be at least " + fe.Param() + " characters long"
		}
		return "must be at least " + fe.Param()
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters long"
		}
		return "must be at most " + fe.Param()
	case "plain_text":
		return "must not hold control characters (U+0000-U+001F, U+007F-U+009F) or bidirectional overrides (U+202A-U+202E, U+2066-U+2069)"
	}
	return "breaks rule " + fe.Tag()
}

// Parse decodes and validates one request body. Its errors match ErrDecode or
// ErrInvalid, both of which are the caller's mistake.
func (val *Validator) Parse(body []byte) (Request, error) {
	req, err := DecodeRequest(body)
	if err != nil {
		return req, err
	}
	return req, val.Validate(&req)
}
