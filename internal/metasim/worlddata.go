package metasim

// The constant tables the seeded world is built from. The seed decides ids,
// which commenter says what and when; names and texts come from here.

// userSpec is a seeded Facebook user; tasks are per page index in pageSpecs.
type userSpec struct {
	first, last, email string
	tasks              map[int][]string
}

// userSpecs lists the Facebook users in their fixed order: the first has
// MESSAGING on both Pages, the second on one Page only, the third on none.
// The fourth has a Page role without MESSAGING; the fifth uses the
// new-Pages-experience task names.
var userSpecs = []userSpec{
	{"Ava", "Martin", "ava.martin@example.com", map[int][]string{
		0: {"ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"},
		1: {"ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE"},
	}},
	{"Ben", "Okafor", "ben.okafor@example.com", map[int][]string{
		1: {"ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE"},
	}},
	{"Chloé", "Dubois", "chloe.dubois@example.com", nil},
	{"Dana", "Kowalski", "dana.kowalski@example.com", map[int][]string{
		0: {"ADVERTISE", "ANALYZE"},
	}},
	{"Eli", "Navarro", "eli.navarro@example.com", map[int][]string{
		0: {"PROFILE_PLUS_ANALYZE", "PROFILE_PLUS_MESSAGING", "PROFILE_PLUS_MODERATE"},
	}},
}

// pageSpec is a seeded Facebook Page and its linked Instagram account.
type pageSpec struct {
	name, category, username, bio string
	followers                     int
	feed, reels                   []string
	story, adTitle, adCaption     string
}

var pageSpecs = []pageSpec{
	{
		name: "Acme Coffee", category: "Coffee Shop", username: "acme.coffee",
		bio: "Small-batch roasters ☕ Cafés in Lyon & Portland", followers: 48210,
		feed: []string{
			"New single origin from Huila, Colombia ☕ Notes of panela and red apple.",
			"Latte art Friday 🎨 Tag a friend who needs a flat white.",
			"Our café in Lyon is open! Venez dire bonjour 👋",
			"Meet Inès, our head roaster, and her favourite V60 recipe.",
			"Cold brew season is here ☀️ 18 hours, no shortcuts.",
			"Behind the scenes: Tuesday cupping session.",
		},
		reels:     []string{"60 seconds of pour-over 🎬", "How we roast, start to finish 🔥", "Barista tips: silky milk texture"},
		story:     "Today's special: cardamom bun + cortado",
		adTitle:   "Spring sale - 20% off whole beans",
		adCaption: "Spring sale: 20% off all whole beans this week only.",
	},
	{
		name: "Acme Outdoor", category: "Outdoor & Sporting Goods Company", username: "acme.outdoor",
		bio: "Gear tested in the Arctic 🏔️ Free returns", followers: 127455,
		feed: []string{
			"Trail-tested: the Fjell 40 L pack 🎒",
			"Sunrise over Tromsø 🌄 Photo by @nordlys.nina",
			"Winter camping checklist: what we never leave behind.",
			"The Storm 2 tent after three nights of 90 km/h wind.",
			"Repair, don't replace: our free patch service is back.",
			"Summer collection drops Friday 🌞",
		},
		reels:     []string{"Pitching the Storm 2 in 90 seconds ⛺", "Packing the Fjell 40 L like a pro", "Dawn patrol on Lyngen 🎿"},
		story:     "Giveaway ends tonight 🎁",
		adTitle:   "Summer tents - free shipping",
		adCaption: "Free shipping on every tent until June 30.",
	},
}

// commenterNames is the pool of follower usernames.
var commenterNames = []string{
	"jane.doe", "sam_k", "maple.buyer", "live.viewer", "lukas.mueller", "sofia_garcia88",
	"nordlys.nina", "marco.rossi", "aiko.tanaka", "priya.sharma", "olu_adeyemi", "emma.jensen",
	"carlos.mendez", "fatima.zahra", "noah_b", "lea.fischer", "tom.hardy.fan", "chen.wei",
	"isabella.costa", "yusuf.demir", "hannah_k", "mateo.lopez", "anouk.devries", "kofi.mensah",
	"julia.nowak", "ravi.patel", "zoe_hikes", "felix.wagner", "camille.moreau", "diego.silva",
	"mia.larsen", "omar.haddad", "grace.obi", "leo.martin", "sakura.ito", "elena.petrova",
	"ben_trails", "coffee.nerd.42", "ana.souza", "max.schmidt",
}

// commentTexts is the pool of follower comments: several languages,
// accents, emoji (with a ZWJ sequence, a flag and a skin tone) and texts that
// test escaping.
var commentTexts = []string{
	"Price please?",
	"Does it ship to Canada? 🇨🇦",
	"Is this available in size M?",
	"¿Cuánto cuesta el envío a España?",
	"Wie lange dauert der Versand nach München? Grüße!",
	"C'est magnifique ! Vous livrez à Montréal ?",
	"Quanto custa? Entregam em São Paulo?",
	"Love this ☕️😍",
	"DM me the price pls 🙏",
	"Is the café open on Sundays?",
	"Ordered last week, still waiting 😕 order #48213",
	"This tent survived a storm in Tromsø 🏕️⛈️",
	"👩‍💻 working from your café every day!",
	"Family trip ready 👨‍👩‍👧‍👦 which size fits four?",
	"<b>html</b> should stay text",
	"<script>alert('xss')</script> lol",
	"Can I get a discount code? 💸",
	"Hi! Do you have gift cards?",
	"😂😂😂",
	"Need this for my hike next week. Waterproof?",
	"Ist der Rucksack wasserdicht? Für Übernachtungen im Schnee?",
	"Combien pour la version 40 L ?",
	"¡Me encanta! ¿Tienen tienda en Madrid? 🇪🇸",
	"Hoeveel kost dit met verzending naar Utrecht?",
	"Fiyatı nedir? Türkiye'ye gönderiyor musunuz?",
	"これはいくらですか？",
	"Сколько стоит доставка в Москву?",
	"كم السعر؟",
	"What's the return policy?",
	"Restock when?? 😭",
	"Tagging @sam_k, we need this",
	"Is the oat milk extra?",
	"Do you ship to Zürich?",
	"Colour options? 🎨",
	"Looks amazing 🔥🔥 👍🏽",
	"Can you send me the link?",
	"How much for two bags of the Ethiopian roast?",
	"Are you hiring baristas? 😊",
	"El niño wants one too 😄 ¿hay tallas pequeñas?",
	"I bought the Fjell pack in March and the left strap buckle cracked after two weeks on the Kungsleden. Is that covered by the warranty, and do I need to send the whole pack back or can you post me a replacement buckle? Thanks, love the brand otherwise!",
}

// replyTexts are follow-ups posted as replies (parent_id) to other comments.
var replyTexts = []string{
	"same question", "+1 🙋", "Following!", "I'd like to know too", "Same here 👀",
	"@jane.doe they do, I got mine in 4 days", "Mir auch bitte!", "Moi aussi 🙏",
}

// ownTexts are the account's own comments and replies.
var ownTexts = []string{
	"Thanks so much! 💛", "We just sent you a DM 📩", "Yes! Link in bio 🔗",
	"Merci ! À bientôt au café ☕", "Great question, check your inbox!",
}
