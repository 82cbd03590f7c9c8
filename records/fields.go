package records

// Kind is how a field's value is stored and validated.
type Kind int

// Field kinds.
const (
	Str  Kind = iota // free text (validated against control characters)
	Int              // signed decimal integer
	Enum             // one of Values
	List             // comma-separated subset of Values, in any order
)

// Visibility says how a field is printed.
type Visibility int

// Visibilities, as open-iscsi's record printer has them.
const (
	Show   Visibility = iota
	Masked            // printed as ******** unless secrets are asked for
	Hidden            // neither printed nor written
)

// Field is one row of a record table: everything the store knows about a
// key. The tables below are the only place keys are described; parsing,
// printing, updating and secret masking are all driven from them.
type Field struct {
	Key     string
	Kind    Kind
	Default string
	Values  []string
	Vis     Visibility
	// Fixed fields name the record (its path); they cannot be updated.
	Fixed bool
}

// Table is an ordered list of fields: the order open-iscsi prints them in.
type Table []Field

// Lookup returns the field with key k.
func (t Table) Lookup(k string) (Field, bool) {
	for _, f := range t {
		if f.Key == k {
			return f, true
		}
	}
	return Field{}, false
}

var (
	yesNo       = []string{"No", "Yes"}
	startups    = []string{"manual", "automatic", "onboot"}
	authMethods = []string{"None", "CHAP"}
	digests     = []string{"None", "CRC32C", "CRC32C,None", "None,CRC32C"}
	chapAlgs    = []string{"MD5", "SHA1", "SHA256", "SHA3-256"}
	discTypes   = []string{"send_targets", "isns", "offload_send_targets", "slp", "static", "fw"}
)

func str(k string) Field      { return Field{Key: k, Kind: Str} }
func num(k, def string) Field { return Field{Key: k, Kind: Int, Default: def} }
func enum(k, def string, v []string) Field {
	return Field{Key: k, Kind: Enum, Default: def, Values: v}
}
func masked(k string) Field { return Field{Key: k, Kind: Str, Vis: Masked} }
func fixed(f Field) Field   { f.Fixed = true; return f }

// IfaceTable lists the keys of an interface record (ifaces/<name>) in
// open-iscsi 2.1.8's order. A node record embeds the same keys.
var IfaceTable = Table{
	fixed(str("iface.iscsi_ifacename")),
	str("iface.net_ifacename"),
	str("iface.ipaddress"),
	num("iface.prefix_len", "0"),
	str("iface.hwaddress"),
	{Key: "iface.transport_name", Kind: Str, Default: "tcp"},
	str("iface.initiatorname"),
	str("iface.state"),
	num("iface.vlan_id", "0"),
	num("iface.vlan_priority", "0"),
	str("iface.vlan_state"),
	num("iface.iface_num", "0"),
	num("iface.mtu", "0"),
	num("iface.port", "0"),
	str("iface.bootproto"),
	str("iface.subnet_mask"),
	str("iface.gateway"),
	str("iface.dhcp_alt_client_id_state"),
	str("iface.dhcp_alt_client_id"),
	str("iface.dhcp_dns"),
	str("iface.dhcp_learn_iqn"),
	str("iface.dhcp_req_vendor_id_state"),
	str("iface.dhcp_vendor_id_state"),
	str("iface.dhcp_vendor_id"),
	str("iface.dhcp_slp_da"),
	str("iface.fragmentation"),
	str("iface.gratuitous_arp"),
	str("iface.incoming_forwarding"),
	str("iface.tos_state"),
	num("iface.tos", "0"),
	num("iface.ttl", "0"),
	str("iface.delayed_ack"),
	str("iface.tcp_nagle"),
	str("iface.tcp_wsf_state"),
	num("iface.tcp_wsf", "0"),
	num("iface.tcp_timer_scale", "0"),
	str("iface.tcp_timestamp"),
	str("iface.redirect"),
	num("iface.def_task_mgmt_timeout", "0"),
	str("iface.header_digest"),
	str("iface.data_digest"),
	str("iface.immediate_data"),
	str("iface.initial_r2t"),
	str("iface.data_seq_inorder"),
	str("iface.data_pdu_inorder"),
	num("iface.erl", "0"),
	num("iface.max_receive_data_len", "0"),
	num("iface.first_burst_len", "0"),
	num("iface.max_outstanding_r2t", "0"),
	num("iface.max_burst_len", "0"),
	str("iface.chap_auth"),
	str("iface.bidi_chap"),
	str("iface.strict_login_compliance"),
	str("iface.discovery_auth"),
	str("iface.discovery_logout"),
}

// nodeHead and nodeTail surround the embedded interface keys.
var nodeHead = Table{
	fixed(str("node.name")),
	fixed(num("node.tpgt", "-1")),
	enum("node.startup", "manual", startups),
	enum("node.leading_login", "No", yesNo),
}

var nodeTail = Table{
	str("node.discovery_address"),
	num("node.discovery_port", "0"),
	enum("node.discovery_type", "static", discTypes),
	num("node.session.initial_cmdsn", "0"),
	num("node.session.initial_login_retry_max", "4"),
	num("node.session.xmit_thread_priority", "-20"),
	num("node.session.cmds_max", "128"),
	num("node.session.queue_depth", "32"),
	num("node.session.nr_sessions", "1"),
	enum("node.session.auth.authmethod", "None", authMethods),
	str("node.session.auth.username"),
	masked("node.session.auth.password"),
	str("node.session.auth.username_in"),
	masked("node.session.auth.password_in"),
	{Key: "node.session.auth.chap_algs", Kind: List, Default: "MD5", Values: chapAlgs},
	num("node.session.timeo.replacement_timeout", "120"),
	num("node.session.err_timeo.abort_timeout", "15"),
	num("node.session.err_timeo.lu_reset_timeout", "30"),
	num("node.session.err_timeo.tgt_reset_timeout", "30"),
	num("node.session.err_timeo.host_reset_timeout", "60"),
	enum("node.session.iscsi.FastAbort", "Yes", yesNo),
	enum("node.session.iscsi.InitialR2T", "No", yesNo),
	enum("node.session.iscsi.ImmediateData", "Yes", yesNo),
	num("node.session.iscsi.FirstBurstLength", "262144"),
	num("node.session.iscsi.MaxBurstLength", "16776192"),
	num("node.session.iscsi.DefaultTime2Retain", "0"),
	num("node.session.iscsi.DefaultTime2Wait", "2"),
	num("node.session.iscsi.MaxConnections", "1"),
	num("node.session.iscsi.MaxOutstandingR2T", "1"),
	num("node.session.iscsi.ERL", "0"),
	enum("node.session.scan", "auto", []string{"manual", "auto"}),
	num("node.session.reopen_max", "0"),
	fixed(str("node.conn[0].address")),
	fixed(num("node.conn[0].port", "3260")),
	enum("node.conn[0].startup", "manual", startups),
	num("node.conn[0].tcp.window_size", "524288"),
	num("node.conn[0].tcp.type_of_service", "0"),
	num("node.conn[0].timeo.logout_timeout", "15"),
	num("node.conn[0].timeo.login_timeout", "30"),
	num("node.conn[0].timeo.auth_timeout", "45"),
	num("node.conn[0].timeo.noop_out_interval", "5"),
	num("node.conn[0].timeo.noop_out_timeout", "5"),
	num("node.conn[0].iscsi.MaxXmitDataSegmentLength", "0"),
	num("node.conn[0].iscsi.MaxRecvDataSegmentLength", "262144"),
	enum("node.conn[0].iscsi.HeaderDigest", "None", digests),
	enum("node.conn[0].iscsi.DataDigest", "None", digests),
	enum("node.conn[0].iscsi.IFMarker", "No", yesNo),
	enum("node.conn[0].iscsi.OFMarker", "No", yesNo),
}

// NodeTable lists the keys of a node record in open-iscsi 2.1.8's order.
var NodeTable = concat(nodeHead, IfaceTable, nodeTail)

// DiscoveryTable lists the keys of a SendTargets discovery record
// (send_targets/<ip>,<port>/st_config).
var DiscoveryTable = Table{
	enum("discovery.startup", "manual", []string{"manual", "automatic"}),
	fixed(enum("discovery.type", "sendtargets", []string{"sendtargets", "isns", "offload_send_targets", "slp", "static", "fw"})),
	fixed(str("discovery.sendtargets.address")),
	fixed(num("discovery.sendtargets.port", "3260")),
	enum("discovery.sendtargets.auth.authmethod", "None", authMethods),
	str("discovery.sendtargets.auth.username"),
	masked("discovery.sendtargets.auth.password"),
	str("discovery.sendtargets.auth.username_in"),
	masked("discovery.sendtargets.auth.password_in"),
	{Key: "node.session.auth.chap_algs", Kind: List, Default: "MD5", Values: chapAlgs},
	num("discovery.sendtargets.timeo.login_timeout", "15"),
	enum("discovery.sendtargets.use_discoveryd", "No", yesNo),
	num("discovery.sendtargets.discoveryd_poll_inval", "30"),
	num("discovery.sendtargets.reopen_max", "5"),
	num("discovery.sendtargets.timeo.auth_timeout", "45"),
	num("discovery.sendtargets.timeo.active_timeout", "30"),
	num("discovery.sendtargets.iscsi.MaxRecvDataSegmentLength", "32768"),
}

func concat(ts ...Table) Table {
	n := 0
	for _, t := range ts {
		n += len(t)
	}
	out := make(Table, 0, n)
	for _, t := range ts {
		out = append(out, t...)
	}
	return out
}
