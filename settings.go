package switchboard

// Distribution methods (R2).
const (
	MethodDefault     = "default"
	MethodByNumber    = "by_number_of_dialogs"
	MethodByLastDate  = "by_date_of_last_dialog"
	InactivityClose   = "close"
	InactivityRequeue = "requeue"
)

// Settings are the global routing settings. A timer of 0 is off.
type Settings struct {
	AutoConnect            bool           `json:"auto_connect"`
	DistributionMethod     string         `json:"distribution_method"`
	DefaultMaxChats        int            `json:"default_max_chats"`
	DefaultChannelLimits   map[string]int `json:"default_channel_limits"`
	AcceptTimeoutS         int            `json:"accept_timeout_s"`
	MaxMissedChats         int            `json:"max_missed_chats"`
	ResponseTimeoutS       int            `json:"response_timeout_s"`
	ChatInactivityTimeoutS int            `json:"chat_inactivity_timeout_s"`
	ChatInactivityAction   string         `json:"chat_inactivity_action"`
	QueueTimeoutS          int            `json:"queue_timeout_s"`
	AutoOfflineAfterS      int            `json:"auto_offline_after_s"`
	AutoOfflineStatus      string         `json:"auto_offline_status"`
	// AutoOfflineRedistribute returns an operator's active chats to routing
	// when presence loss switches the operator to the auto-offline status.
	AutoOfflineRedistribute bool `json:"auto_offline_redistribute"`
	// MaxMessageBytes bounds a message's text (and a connect's text, a
	// close comment); 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int `json:"max_message_bytes"`
	// WebhookAllowPrivateTargets lets webhooks (subscriptions and chats'
	// event_webhook_url) reach loopback and private addresses; link-local
	// ones are refused always.
	WebhookAllowPrivateTargets bool `json:"webhook_allow_private_targets"`
	// SLATargetS is the service level's target wait in seconds: a chat
	// connected within it counts as served in time (docs/STATS.md); 0
	// means DefaultSLATargetS. A topic may override it.
	SLATargetS int `json:"sla_target_s"`
	// SLAGoal is the share of chats to serve within the target, above 0
	// and at most 1; 0 means DefaultSLAGoal. A topic may override it.
	SLAGoal float64 `json:"sla_goal"`
}

// The service level's defaults: 80 % of the chats connected within 20 s.
const (
	DefaultSLATargetS = 20
	DefaultSLAGoal    = 0.8
)

// DefaultMaxMessageBytes is the default bound of a message's text: 64 KiB.
const DefaultMaxMessageBytes = 64 << 10

// DefaultSettings are the settings of a fresh install (PRODUCT.md §6).
func DefaultSettings() Settings {
	return Settings{
		AutoConnect:             true,
		DistributionMethod:      MethodDefault,
		DefaultMaxChats:         5,
		DefaultChannelLimits:    map[string]int{},
		MaxMissedChats:          3,
		ChatInactivityAction:    InactivityClose,
		AutoOfflineAfterS:       600,
		AutoOfflineStatus:       StatusOffline,
		AutoOfflineRedistribute: true,
		MaxMessageBytes:         DefaultMaxMessageBytes,
		SLATargetS:              DefaultSLATargetS,
		SLAGoal:                 DefaultSLAGoal,
	}
}
