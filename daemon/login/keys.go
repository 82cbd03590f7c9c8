package login

import (
	"fmt"
	"strconv"
	"strings"
)

// kind is how a key's outcome is computed (RFC 7143 section 6.2 and
// chapter 13).
type kind int

const (
	kindList        kind = iota // the responder picks the first of the offer it supports
	kindAnd                     // Boolean AND
	kindOr                      // Boolean OR
	kindMin                     // numerical minimum
	kindMax                     // numerical maximum
	kindDeclarative             // each side states its own value
)

// keyDef is one row of the operational key table.
type keyDef struct {
	name     string
	kind     kind
	def      string   // RFC default
	min, max uint64   // numeric range
	values   []string // list values understood
	leading  bool     // leading connection only
	record   string   // record key our offer comes from ("" = fixed offer)
}

// operationalKeys are the keys goiscsi offers, in the order open-iscsi
// 2.1.8 sends them.
var operationalKeys = []keyDef{
	{name: "HeaderDigest", kind: kindList, def: "None", values: []string{"None", "CRC32C"}, record: "node.conn[0].iscsi.HeaderDigest"},
	{name: "DataDigest", kind: kindList, def: "None", values: []string{"None", "CRC32C"}, record: "node.conn[0].iscsi.DataDigest"},
	{name: "DefaultTime2Wait", kind: kindMax, def: "2", max: 3600, leading: true, record: "node.session.iscsi.DefaultTime2Wait"},
	{name: "DefaultTime2Retain", kind: kindMin, def: "20", max: 3600, leading: true, record: "node.session.iscsi.DefaultTime2Retain"},
	{name: "IFMarker", kind: kindAnd, def: "No", record: "node.conn[0].iscsi.IFMarker"},
	{name: "OFMarker", kind: kindAnd, def: "No", record: "node.conn[0].iscsi.OFMarker"},
	{name: "ErrorRecoveryLevel", kind: kindMin, def: "0", max: 2, leading: true, record: "node.session.iscsi.ERL"},
	{name: "InitialR2T", kind: kindOr, def: "Yes", leading: true, record: "node.session.iscsi.InitialR2T"},
	{name: "ImmediateData", kind: kindAnd, def: "Yes", leading: true, record: "node.session.iscsi.ImmediateData"},
	{name: "MaxBurstLength", kind: kindMin, def: "262144", min: 512, max: 1<<24 - 1, leading: true, record: "node.session.iscsi.MaxBurstLength"},
	{name: "FirstBurstLength", kind: kindMin, def: "65536", min: 512, max: 1<<24 - 1, leading: true, record: "node.session.iscsi.FirstBurstLength"},
	{name: "MaxOutstandingR2T", kind: kindMin, def: "1", min: 1, max: 65535, leading: true, record: "node.session.iscsi.MaxOutstandingR2T"},
	{name: "MaxConnections", kind: kindMin, def: "1", min: 1, max: 65535, leading: true, record: "node.session.iscsi.MaxConnections"},
	{name: "DataPDUInOrder", kind: kindOr, def: "Yes", leading: true},
	{name: "DataSequenceInOrder", kind: kindOr, def: "Yes", leading: true},
	{name: "MaxRecvDataSegmentLength", kind: kindDeclarative, def: "8192", min: 512, max: 1<<24 - 1, record: "node.conn[0].iscsi.MaxRecvDataSegmentLength"},
}

// targetDeclarative reports whether key is one a target states and we
// accept as given.
func targetDeclarative(key string) bool {
	switch key {
	case "TargetPortalGroupTag", "TargetAlias", "TargetAddress":
		return true
	}
	return false
}

func lookupKey(name string) (keyDef, bool) {
	for _, k := range operationalKeys {
		if k.name == name {
			return k, true
		}
	}
	return keyDef{}, false
}

// Offer builds the operational offer from record values (get returns
// a record key's value; "" means the key's default). A digest setting
// such as "CRC32C,None" is sent as the list it is.
func Offer(get func(key string) string, leading bool) Text {
	t := make(Text, 0, len(operationalKeys))
	for _, k := range operationalKeys {
		if k.leading && !leading {
			continue
		}
		v := k.def
		if k.name == "DataPDUInOrder" || k.name == "DataSequenceInOrder" {
			v = "Yes"
		}
		if k.record != "" && get != nil {
			if rv := get(k.record); rv != "" {
				v = rv
			}
		}
		t = append(t, Pair{k.name, v})
	}
	return t
}

// result checks the target's answer to our offer and returns the
// outcome.
func (k keyDef) result(offer, answer string) (string, error) {
	switch answer {
	case "Reject", "Irrelevant", "NotUnderstood":
		return k.def, nil
	}
	switch k.kind {
	case kindList:
		for _, o := range strings.Split(offer, ",") {
			if o == answer {
				return answer, nil
			}
		}
		return "", fmt.Errorf("%w: %s=%.40q is not one of our offer %s", ErrProtocol, k.name, answer, offer)
	case kindAnd, kindOr:
		if answer != "Yes" && answer != "No" {
			return "", fmt.Errorf("%w: %s=%.40q is not Yes or No", ErrProtocol, k.name, answer)
		}
		if k.kind == kindAnd && offer == "No" && answer == "Yes" || k.kind == kindOr && offer == "Yes" && answer == "No" {
			return "", fmt.Errorf("%w: %s=%s contradicts our %s", ErrProtocol, k.name, answer, offer)
		}
		return answer, nil
	case kindMin, kindMax, kindDeclarative:
		n, err := k.number(answer)
		if err != nil {
			return "", err
		}
		o, _ := strconv.ParseUint(offer, 10, 64)
		if k.kind == kindMin && n > o || k.kind == kindMax && n < o {
			return "", fmt.Errorf("%w: %s=%d is outside our offer %d", ErrProtocol, k.name, n, o)
		}
		return strconv.FormatUint(n, 10), nil
	}
	return answer, nil
}

// respond computes our answer to a key the target proposed.
func (k keyDef) respond(ours, theirs string) string {
	switch k.kind {
	case kindList:
		for _, t := range strings.Split(theirs, ",") {
			for _, o := range strings.Split(ours, ",") {
				if t == o {
					return t
				}
			}
		}
		return "Reject"
	case kindAnd:
		if ours == "Yes" && theirs == "Yes" {
			return "Yes"
		}
		return "No"
	case kindOr:
		if ours == "Yes" || theirs == "Yes" {
			return "Yes"
		}
		return "No"
	case kindMin, kindMax:
		n, err := k.number(theirs)
		if err != nil {
			return "Reject"
		}
		o, _ := strconv.ParseUint(ours, 10, 64)
		if k.kind == kindMin && o < n || k.kind == kindMax && o > n {
			n = o
		}
		return strconv.FormatUint(n, 10)
	}
	return ours
}

func (k keyDef) number(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < k.min || (k.max != 0 && n > k.max) {
		return 0, fmt.Errorf("%w: %s=%.40q is not a number in %d..%d", ErrProtocol, k.name, s, k.min, k.max)
	}
	return n, nil
}

// Params is the outcome of negotiation that the data path needs.
type Params struct {
	HeaderDigest, DataDigest bool
	MaxRecvDataSegmentLength uint32 // what we receive (our declaration)
	MaxXmitDataSegmentLength uint32 // what the target receives (its declaration)
	FirstBurstLength         uint32
	MaxBurstLength           uint32
	MaxOutstandingR2T        uint32
	MaxConnections           uint32
	ErrorRecoveryLevel       uint32
	DefaultTime2Wait         uint32
	DefaultTime2Retain       uint32
	InitialR2T               bool
	ImmediateData            bool
	DataPDUInOrder           bool
	DataSequenceInOrder      bool
	TargetPortalGroupTag     int
	TargetAlias              string
}

// values holds the outcome of every key, defaults included.
type values map[string]string

func defaults() values {
	v := values{}
	for _, k := range operationalKeys {
		v[k.name] = k.def
	}
	v["TargetPortalGroupTag"] = "-1"
	return v
}

// params converts negotiated values; ours is our own MaxRecvDataSegmentLength.
func (v values) params(ourRecv string, targetRecv string) Params {
	u := func(k string) uint32 { n, _ := strconv.ParseUint(v[k], 10, 32); return uint32(n) }
	yes := func(k string) bool { return v[k] == "Yes" }
	recv, _ := strconv.ParseUint(ourRecv, 10, 32)
	xmit, _ := strconv.ParseUint(targetRecv, 10, 32)
	tpgt, _ := strconv.Atoi(v["TargetPortalGroupTag"])
	return Params{
		HeaderDigest: v["HeaderDigest"] == "CRC32C", DataDigest: v["DataDigest"] == "CRC32C",
		MaxRecvDataSegmentLength: uint32(recv), MaxXmitDataSegmentLength: uint32(xmit),
		FirstBurstLength: u("FirstBurstLength"), MaxBurstLength: u("MaxBurstLength"),
		MaxOutstandingR2T: u("MaxOutstandingR2T"), MaxConnections: u("MaxConnections"),
		ErrorRecoveryLevel: u("ErrorRecoveryLevel"), DefaultTime2Wait: u("DefaultTime2Wait"),
		DefaultTime2Retain: u("DefaultTime2Retain"), InitialR2T: yes("InitialR2T"),
		ImmediateData: yes("ImmediateData"), DataPDUInOrder: yes("DataPDUInOrder"),
		DataSequenceInOrder: yes("DataSequenceInOrder"), TargetPortalGroupTag: tpgt,
		TargetAlias: v["TargetAlias"],
	}
}
