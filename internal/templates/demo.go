package templates

// Demo is the starter set for demo mode, written for the simulator's coffee
// roaster and outdoor shop. Each uses variables with fallbacks and has a
// shortcut and a folder. "Stock check" quotes the comment, so its editor
// shows the could-exceed-1,000-bytes warning. The last two are public
// replies: "Check your DMs" is the nudge posted under a comment once its
// private reply went out.
func Demo() []Input {
	return []Input{
		{
			Name: "Price list", Shortcut: "price", Folder: "Sales",
			Body: "Hi {{username|there}}! Thanks for asking 😊 Every price is on our shop: https://acme.example/shop\n" +
				"Tell us which item you mean and we'll send you the exact price and availability right here.",
		},
		{
			Name: "Shipping", Shortcut: "shipping", Folder: "Orders",
			Body: "Hi {{username|there}}! We ship across Europe, the UK, the US and Canada. " +
				"Standard delivery takes 3–5 working days, express 1–2. Shipping is free over €50 " +
				"and shown at checkout otherwise. Tell us where it should go and we'll check the exact cost.",
		},
		{
			Name: "Order problem", Shortcut: "order", Folder: "Orders",
			Body: "Hi {{username|there}}, sorry about that! Let's sort it out here in private: " +
				"reply with your order number (it starts with #) and the email you ordered with, " +
				"and we'll get back to you today.\n— The {{account|Acme}} team",
		},
		{
			Name: "Opening hours", Shortcut: "hours", Folder: "Cafés",
			Body: "Hi {{username|there}}! Our cafés in Lyon and Portland are open Monday to Friday 7:30–18:00 " +
				"and weekends 9:00–17:00. See you soon ☕",
		},
		{
			Name: "Stock check", Shortcut: "stock", Folder: "Sales",
			Body: "Hi {{username|there}}! About your comment, “{{comment_text|your question}}”: " +
				"we're checking stock for you now. Which size and colour would you like?",
		},
		{
			Name: "Thank you", Shortcut: "thanks", Folder: "General",
			Body: "Thank you so much, {{username|friend}}! 💛 Comments like yours make our day. " +
				"If you ever have a question, just reply here: the whole {{account|Acme}} team reads these.",
		},
		{
			Name: "Check your DMs", Shortcut: "dms", Folder: "Public", Public: true,
			Body: "Hi {{username|there}}! We've just sent you a DM 💌 If you don't follow us, look in your message requests.",
		},
		{
			Name: "Thanks (public)", Shortcut: "thx", Folder: "Public", Public: true,
			Body: "Thank you, {{username|friend}}! 💛",
		},
	}
}
