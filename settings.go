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
	// TransferOfferTimeoutS is how long an offer to a colleague stays open
	// (0: until accepted, declined or withdrawn).
	TransferOfferTimeoutS int `json:"transfer_offer_timeout_s"`
	// DefaultCalendarID names the business hours of the topics that have
	// none (empty: always open).
	DefaultCalendarID string `json:"default_calendar_id"`
	// MaxQueueLength bounds the chats waiting in one topic, and
	// MaxEstimatedWaitS the estimated wait of a chat joining the queue:
	// past either, connect answers limit with queue_full (0: off).
	MaxQueueLength    int `json:"max_queue_length"`
	MaxEstimatedWaitS int `json:"max_estimated_wait_s"`
	// BusinessTimeTimers runs the accept and response timeouts of chats
	// whose topic has business hours on open time only: a timeout does not
	// run out while the topic is closed.
	BusinessTimeTimers bool `json:"business_time_timers"`
	// QueueUpdateIntervalS is how often waiting chats with an
	// event_webhook_url are told of a new queue position band (0: never).
	QueueUpdateIntervalS int `json:"queue_update_interval_s"`
	// WrapUpS is how long a closed chat keeps its place in its operator's
	// limits (0: off).
	WrapUpS int `json:"wrap_up_s"`
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
		TransferOfferTimeoutS:   60,
		QueueUpdateIntervalS:    30,
		SLATargetS:              DefaultSLATargetS,
		SLAGoal:                 DefaultSLAGoal,
	}
}
