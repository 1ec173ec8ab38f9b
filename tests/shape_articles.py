"""Invented articles for the copy shapes of issue 9: reordered and condensed rewrites, an excerpt
inside a long page, independent reports sharing a quote, sister stories sharing background.

Every text here is written by hand for the tests (places, people and figures are made up).
"""

from __future__ import annotations

# --------------------------------------------------------------------------- a reordered rewrite

MATERNITY_ID = "kelmsfordpost/2026-06-02-maternity-unit-nights"
MATERNITY = """Kelmsford maternity unit to stop night births from September

Kelmsford General Hospital will stop delivering babies at night from September, the regional health \
board confirmed on Tuesday. Women who go into labour between 8pm and 8am will be sent to Dunraven Royal \
Infirmary, 38 kilometres away.

The board said the unit had been unable to fill 11 of its 26 midwife posts despite two recruitment \
drives last year. Agency staff covered more than 2,000 night shifts in 2025 at a cost of 3.4 million \
euros.

Chief executive Miriam Osei said the change was temporary and would be reviewed in twelve months. She \
said safety had to come first and that a half-staffed night shift was "not a risk we are willing to take".

Local parents reacted with anger. A petition against the plan collected 9,400 signatures in four days, \
and a protest is planned outside the hospital on Saturday. Ambulance crews have warned that the drive to \
Dunraven can take more than an hour in winter, when the moor road is often closed by snow.

The unit delivered 1,870 babies last year, about a third of them at night. Daytime births, antenatal \
clinics and the neonatal ward will not be affected.

Opposition councillor Gareth Pryce said the county had been promised a new maternity wing in 2021 and \
had seen nothing since. The health board said the wing remained in its ten-year plan."""

# MATERNITY rewritten the way a language model restructures a story: the reaction moved to the top,
# the staffing explanation moved to the end, every sentence lightly reworded.
REORDERED = """Anger in Kelmsford as night births move to Dunraven

Parents in Kelmsford have reacted angrily to the news. A petition opposing the plan gathered 9,400 \
signatures in just four days, and a protest has been called outside the hospital for Saturday. Ambulance \
crews warn that the journey to Dunraven can take over an hour in winter, when snow often closes the moor \
road.

From September, Kelmsford General Hospital will no longer deliver babies at night, the regional health \
board confirmed on Tuesday. Women going into labour between 8pm and 8am will instead be sent to Dunraven \
Royal Infirmary, 38 kilometres away.

Last year the unit delivered 1,870 babies, roughly a third of them at night. Daytime births, the \
antenatal clinics and the neonatal ward are not affected.

Opposition councillor Gareth Pryce said the county was promised a new maternity wing in 2021 and has seen \
nothing since. According to the health board, the wing is still in its ten-year plan.

The board said 11 of the unit's 26 midwife posts are still empty despite two recruitment drives last \
year. Agency staff covered over 2,000 night shifts in 2025, costing 3.4 million euros.

Chief executive Miriam Osei described the change as temporary and said it would be reviewed in twelve \
months. Safety had to come first, she said, and a half-staffed night shift was "not a risk we are willing \
to take"."""

# --------------------------------------------------------------------------- a condensed rewrite

ALGAE_ID = "orrinherald/2026-07-10-lake-orrin-algae"
ALGAE = """Toxic algae closes Lake Orrin beaches for the summer

All five public beaches on Lake Orrin will stay closed until the end of August after tests found high \
levels of toxic blue-green algae, the county environment office said on Friday. Samples taken on \
Wednesday showed microcystin concentrations of 41 micrograms per litre, four times the limit considered \
safe for swimming.

Dog owners have been told to keep their pets out of the water, because the toxin can kill a dog within \
hours. Two dogs died near the northern shore last week, although vets have not yet confirmed the cause.

Scientists at the Orrin Field Station blame the bloom on the hot, still weather of the past three weeks. \
They also point to fertiliser washed into the lake from farms along the Tesk river after heavy rain in \
June. The lake has had smaller blooms in four of the last six summers, but never one that covered the \
whole surface.

Boat hire firms and campsites around the lake say bookings have fallen by half since the first warning \
signs went up. Harriet Lowe, who runs the Pinecrest campsite, said she had refunded 60 families in a \
week. The county has promised a support fund for businesses but has not said how much it will contain.

Drinking water is not affected, because the town's supply is drawn from wells rather than from the lake, \
the water company said.

The environment office will test the water twice a week and publish the results on its website. It has \
asked the national government for money to buy the riverside fields where the worst runoff occurs. \
Farmers' leader Tom Aske said blaming agriculture alone was unfair, since the town's old sewage works \
also drains into the Tesk."""

# ALGAE condensed to about half its length: most sentences say what two of the source say.
CONDENSED = """Lake Orrin beaches shut over toxic algae

Lake Orrin's five public beaches will stay shut until the end of August after samples taken on \
Wednesday showed microcystin at 41 micrograms per litre, four times the safe limit for swimming.

Dog owners must keep their pets out of the water, since the toxin can kill a dog within hours; two dogs \
died near the northern shore last week.

Scientists at the Orrin Field Station blame the hot, still weather and fertiliser washed into the lake \
from farms along the Tesk river. The lake has had smaller blooms in four of the last six summers, but \
never one covering the whole surface.

Boat hire firms and campsites say bookings have halved, and the Pinecrest campsite has refunded 60 \
families in a week.

The environment office will test the water twice a week and wants government money to buy the riverside \
fields where the worst runoff occurs."""

# --------------------------------------------------------------------------- an excerpt in a long page

TELESCOPE_ID = "hollingazette/2026-04-18-hollin-moor-telescope"
_TELESCOPE_PARAS = [
    "Hollin Moor telescope sees first light",
    "A new 2.4-metre telescope at the Hollin Moor Observatory saw its first light on Thursday night, making "
    "it the largest optical telescope in the country that is open to the public.",
    "The instrument cost 6.8 million euros and took four years to build, most of it paid for by a lottery "
    "grant and by donations from 1,200 local residents. Its mirror was cast in a furnace near Ravensholm and "
    "polished for 14 months to an accuracy of a few millionths of a millimetre.",
    "Observatory director Ines Kovalenko said the first image, of the Whirlpool galaxy, had brought some of "
    "the engineers to tears. \"We pointed it at the sky, opened the dome and there it was, sharper than "
    "anything we had hoped for,\" she said.",
    "The telescope will be used for research on four nights a week, mostly to track asteroids that pass "
    "close to Earth. On the other nights, school groups and members of the public will be able to book "
    "sessions through the observatory's website, with tickets priced at 12 euros for adults.",
    "Hollin Moor was declared a dark-sky reserve in 2019, after the county agreed to dim or shield more than "
    "3,000 street lights. Astronomers say it is now one of the few places in the region where the Milky Way "
    "can be seen clearly with the naked eye.",
    "The observatory expects about 25,000 visitors in its first year. A cafe and a small planetarium are due "
    "to open next to the dome in the autumn.",
]
TELESCOPE = "\n\n".join(_TELESCOPE_PARAS)
#: The three paragraphs of TELESCOPE that the walking blog pastes.
TELESCOPE_EXCERPT = "\n\n".join(_TELESCOPE_PARAS[2:5])

_BLOG_BEFORE = """Three days on the Carrow Ridge: a walking diary

I have wanted to walk the whole of the Carrow Ridge since I was a teenager, and this spring I finally \
did it, with my sister Maud and her very patient spaniel, Biscuit. We started from the youth hostel at \
Fellbeck on a grey Friday morning with far too much food and not nearly enough plasters.

The first day is the easy one. The path climbs gently through oak woods above the river, then follows \
an old packhorse track across open grazing. We stopped for lunch at the ruined chapel at Sallow Knott, \
where a farmer told us that the sheep there are older than his tractor and twice as stubborn. By four \
o'clock we were at the bunkhouse in Greyside, and by six o'clock Maud was asleep.

Day two is where the ridge earns its reputation. The climb out of Greyside is steep, loose and \
relentless, and Biscuit had to be lifted over two stiles that were clearly designed by someone who hated \
dogs. Once you are on the top, though, the views open up in every direction. On a clear day you can see \
the sea to the west and the chimneys of the mill towns to the east. We had a clear day for about twenty \
minutes, then the cloud came down and we navigated by compass for the next three hours.

We spent the second night in a bed and breakfast at the foot of Hollin Moor. The owner mentioned that \
the new observatory up the road had just opened, which explained the queue of cars on the moor road. \
She showed us the piece in the local paper, and I am copying the best part of it here because it made \
me want to go back:"""

_BLOG_AFTER = """Sadly the sky was full of cloud that night, so we saw nothing but the red lamp above the \
door of the dome. We have already promised ourselves a return trip in the autumn.

The last day was the longest. We left at seven, crossed the boggy saddle below Cold Pike and reached the \
trig point on High Carrow just before noon. The wind up there was strong enough to lean on. Biscuit \
refused to go near the edge, which I took as a sign of good sense. The descent to Marlow Bridge is long \
and hard on the knees, but there is a pub at the bottom that serves enormous pies, and that kept us going.

A few practical notes if you want to do the walk yourself. Book the bunkhouse in Greyside early, because \
it only has sixteen beds. Carry a map and a compass and know how to use them, because the path on the top \
is faint in places. There is no shop between Fellbeck and Marlow Bridge, so take all your food with you. \
And if you bring a dog, bring a towel: Biscuit found every puddle on the ridge.

Next month we are planning the coast path from Saltby to Wrenhaven. I will write it up here, blisters \
and all."""

BLOG_PAGE = _BLOG_BEFORE + "\n\n" + TELESCOPE_EXCERPT + "\n\n" + _BLOG_AFTER
#: Where the pasted excerpt lies in BLOG_PAGE.
PASTED = (len(_BLOG_BEFORE) + 2, len(_BLOG_BEFORE) + 2 + len(TELESCOPE_EXCERPT))

# --------------------------------------------------------------------------- one event, two reports

STATEMENT = ("Crews worked through the night in very difficult conditions to stop the fire spreading to "
             "neighbouring homes. We are grateful to residents for keeping away while we did so.")

FIRE_ID = "brantleyecho/2026-09-03-millstream-warehouse-fire"
FIRE = f"""Huge fire destroys Brantley furniture warehouse

A fire destroyed a furniture warehouse on the Millstream industrial estate in Brantley overnight, \
sending up a column of smoke that could be seen 30 kilometres away.

The blaze was reported at 11.40pm on Tuesday, and at its height 60 firefighters and 12 engines were at \
the scene. Nobody was hurt, but 40 homes on nearby Cooper Lane were evacuated as a precaution and their \
residents spent the night in a school hall.

In a statement, area manager Rhys Bellamy of the county fire service said: "{STATEMENT}"

The warehouse belonged to Oakline Interiors, which employs 85 people at the site. Its managing director, \
Paula Finch, said the company would keep paying its staff while it looked for temporary premises.

The cause of the fire is not yet known. Investigators are expected to begin examining the site on \
Thursday, once the remains of the building have been made safe.

Residents were told to keep their windows and doors shut because of the smoke, and Millstream Road will \
remain closed for at least two days."""

# An independent report of the same fire by another paper: same facts, same statement, own words.
FIRE_OTHER = f"""Cooper Lane families return home after night in school hall

Families on Cooper Lane in Brantley went back to their homes on Wednesday morning after spending the \
night in a school hall while firefighters battled a huge blaze at a warehouse nearby.

The fire broke out shortly before midnight at the Oakline Interiors building on the Millstream estate. \
A dozen fire engines attended at the peak of the blaze, and smoke could be seen from as far away as \
Hexley.

"{STATEMENT}" area manager Rhys Bellamy said in a statement.

Retired teacher June Marlow, 71, said she was woken by a police officer knocking on her door at half past \
midnight. "I grabbed my cat and my tablets and that was it," she said. "You could feel the heat from the \
end of the road."

Oakline Interiors, which has 85 staff in Brantley, said nobody would lose pay while it searched for a new \
site. Fire investigators will start work on Thursday, and the road past the estate is expected to stay \
shut until the weekend."""

# --------------------------------------------------------------------------- sister stories

POOL_ID = "ferrowstandard/2026-03-12-ferrow-pool-approved"
POOL_BACKGROUND_ONE = ("The 25-metre pool will replace the Victorian baths on Mill Street, which closed in "
                       "2023 after part of the roof fell into the water.")
POOL_BACKGROUND_TWO = ("It will be built on the site of the old bus depot on Canal Road, with a learner "
                       "pool, a gym and a cafe.")
POOL = f"""Ferrow council approves new town swimming pool

Ferrow will get a new public swimming pool after the town council voted 21 to 4 on Wednesday to approve \
the 11.2 million euro project.

{POOL_BACKGROUND_ONE} {POOL_BACKGROUND_TWO} Construction is due to start in the summer and the pool \
should open in late 2027.

Councillor Nadia Rees, who chairs the leisure committee, said children in Ferrow had gone two years \
without anywhere to learn to swim. "Every week we hear from parents driving 40 minutes to Carbury for \
lessons," she said.

Most of the money will come from the sale of the Mill Street site to a housing developer, with the rest \
borrowed over 30 years.

Some residents had wanted the old baths restored. A campaign group, Save Mill Street Baths, said \
restoration would have cost no more than a new building and would have kept a piece of the town's \
history. The council said engineers had judged the old building beyond repair.

Swimming clubs welcomed the decision. The Ferrow Otters, which has 220 members, has been training in a \
hotel pool since the baths closed."""

# A later story of the same paper, repeating one background sentence of POOL word for word.
POOL_CONTRACTOR = f"""Work on Ferrow pool halts as builder collapses

Work on Ferrow's new swimming pool has stopped after the building firm hired to construct it went into \
administration.

Harland Build, which employed 340 people across the region, called in administrators on Monday. The \
company blamed rising material costs and late payments on two hospital contracts it was building for the \
health service.

{POOL_BACKGROUND_ONE} Foundations have been laid on the Canal Road site, but little else has been built \
since the diggers arrived in July.

Council leader Simon Achterberg said the authority had paid Harland only for work already completed and \
would not lose money. He said a new contractor could be in place within three months, but admitted that \
the opening date was now likely to slip into 2028.

About 30 workers from the site gathered outside Harland's offices in Carbury on Tuesday morning. Several \
said they had not been paid for the last month. The administrators said they hoped to sell parts of the \
business as going concerns.

The Ferrow Otters swimming club said the delay was "a real blow" for its younger members."""

# Another later story repeating POOL's two-sentence background paragraph (less its last sentence).
POOL_NAME = f"""Ferrow pool to be named after Olympic swimmer Edie Carrow

Ferrow's new swimming pool will be named after Edie Carrow, the town's only Olympic medallist, after a \
public vote in which more than 6,000 people took part.

Carrow, who learned to swim at the Mill Street baths, won a bronze medal in the 200 metres backstroke at \
the 1964 Games and later taught generations of Ferrow children. She died in 2019, aged 77.

{POOL_BACKGROUND_ONE} {POOL_BACKGROUND_TWO}

Her nephew, Daniel Carrow, said the family were delighted. "She spent her whole life telling the council \
the town needed a proper pool, so this feels right," he said.

The other names on the ballot were the River Fer Pool and the Canal Road Leisure Centre. The Carrow name \
won 58 per cent of the vote.

A bronze plaque with her portrait will be placed at the entrance when the pool opens."""

# --------------------------------------------------------------------------- a restructured rewrite

BRIDGE_ID = "tarnwickcourier/2026-10-14-weir-bridge-closed"
BRIDGE = """Tarnwick's Weir Bridge closed after inspectors find cracked beams

The Weir Bridge in Tarnwick was closed to all traffic on Monday after engineers found cracks in three of \
its steel beams. The county highways department said the crossing would stay shut for at least four months.

About 14,000 vehicles used the bridge every day, according to the department's last count in 2024. Drivers \
now face a detour of 11 kilometres through Ashby Cross, and the number 7 bus has been rerouted along the \
bypass.

The cracks were spotted during a routine inspection by divers checking the river piers. Engineer Lucy Abara \
said the damage was probably caused by decades of salt spread on the deck in winter.

Local businesses on Quay Street fear the closure will cost them customers before Christmas. The owner of \
the Ferryman cafe, Tom Hollis, said takings had fallen by half on the first day.

The council has asked the government for an emergency grant of 2.8 million pounds to pay for the repairs. \
A temporary footbridge for pedestrians and cyclists should open within three weeks.

The Weir Bridge was built in 1931 and was last strengthened in 1988. A public meeting about the works will \
be held at the Tarnwick Corn Exchange on Thursday evening."""

# BRIDGE restructured the way a language model does it: a new lead, every block moved, pairs of source
# sentences condensed into one, every sentence reworded. Few steps keep the source's order, so the
# sequence evidence (copy score) is weak although nearly every sentence renders one of the source's.
RESTRUCTURED = """Detours and worried traders as Tarnwick loses its Weir Bridge

Traders on Quay Street are worried that the shutdown will drive shoppers away in the run-up to Christmas, \
with Ferryman cafe owner Tom Hollis saying his takings halved on day one.

Engineers closed the Weir Bridge to every vehicle on Monday, having discovered cracks in three steel beams, \
and the county highways department expects it to remain shut for a minimum of four months.

A temporary footbridge for people on foot and on bicycles is due to open within three weeks. Meanwhile the \
council is seeking an emergency government grant of 2.8 million pounds for the repair work.

Divers checking the river piers found the cracks on a routine inspection, and engineer Lucy Abara blamed \
decades of winter road salt on the deck.

Some 14,000 vehicles crossed the bridge each day at the department's last count in 2024; motorists must now \
detour 11 kilometres via Ashby Cross, while the number 7 bus runs along the bypass instead.

Built in 1931 and last strengthened in 1988, the bridge will be the subject of a public meeting at the \
Tarnwick Corn Exchange on Thursday evening."""

# An independent report of the same closure: the same names, figures and facts, its own wording and
# order. Not a copy of BRIDGE.
BRIDGE_OTHER = """Cracked beams shut Tarnwick river crossing

Motorists in Tarnwick were turned back at barriers on Monday morning as the town's main river crossing \
shut without warning. Highways officials said three beams under the deck had cracked and that repairs \
would take months rather than weeks.

"We cannot take any chances with a structure that carries thousands of cars a day," said county engineer \
Lucy Abara, who led the inspection. She said salt and water had been eating into the steel for years.

Commuters from Ashby Cross said their journeys had doubled. Nadia Frost, who drives to the hospital each \
morning, said the diversion added forty minutes to her trip.

The council leader, Ian Marsh, said he would press ministers for money to pay for the work, which \
officials expect to cost close to 3 million pounds. Cyclists have been promised a temporary crossing.

The 1931 bridge is one of three over the River Tarn in the county."""

# A news digest that lifts three sentences of BRIDGE word for word, in another order, each inside an
# item of its own: no passage of two copied sentences, but three long copied sentences of one source.
BRIDGE_LIFTED = [
    ("The council has asked the government for an emergency grant of 2.8 million pounds to pay for the "
     "repairs."),
    "About 14,000 vehicles used the bridge every day, according to the department's last count in 2024.",
    "The cracks were spotted during a routine inspection by divers checking the river piers.",
]
DIGEST = f"""Monday digest: five things to know in the Tarn valley

Trains. Northern Loop services will run every twenty minutes this weekend while signal work continues \
near Halden Junction. Buy tickets before boarding, as the guards will not sell them on the train.

Money. {BRIDGE_LIFTED[0]} Officials at the county hall expect an answer before the end of the month.

Weather. Frost is likely in the hills on Wednesday night, with fog in the valleys until mid-morning. \
Gritters will be out on the high roads from six o'clock.

Traffic. {BRIDGE_LIFTED[1]} Expect queues at the Ashby Cross roundabout at school times.

Schools. Pupils at Halden Primary return on Tuesday after the heating was repaired over the weekend.

Safety. {BRIDGE_LIFTED[2]} More checks on the other river crossings are planned for the spring.

Sport. Tarnwick Rovers host Emberley on Saturday afternoon; the club shop opens at noon."""
# --------------------------------------------------------------------------- an obfuscated excerpt

# The three paragraphs of TELESCOPE_EXCERPT as a spinner renders them (PAN's "random obfuscation"):
# words shuffled, swapped for synonyms, dropped or added, sentence by sentence; no run of a dozen
# words survives, most of each sentence's content words do. The quoted statement stays as it was.
TELESCOPE_SPUN = """Instrument cost four years, 6.8 million euros build, gravel paid lottery grant, \
residents hockey donations furniture sandwich quietly. Mirror cast furnace Ravensholm, polished 14 months, \
umbrella saddle ferry spoon.

Engineers tears, the Whirlpool galaxy image, Ines Kovalenko said, pudding marble tractor violin. "We \
pointed it at the sky, opened the dome and there it was, sharper than anything we had hoped for," she \
said.

Telescope four nights, asteroids Earth research, carpet lemon harbour window. Nights school groups book \
sessions, tickets 12 euros, kettle orchard pillow."""

#: The walking diary with the spun excerpt in place of the pasted one.
BLOG_PAGE_SPUN = _BLOG_BEFORE + "\n\n" + TELESCOPE_SPUN + "\n\n" + _BLOG_AFTER
#: Where the spun excerpt lies in BLOG_PAGE_SPUN.
SPUN = (len(_BLOG_BEFORE) + 2, len(_BLOG_BEFORE) + 2 + len(TELESCOPE_SPUN))

# --------------------------------------------------------------------------- one event, two reports, no quote

FOOTBRIDGE_ID = "wendvalleytimes/2026-02-14-ashby-lock-footbridge"
FOOTBRIDGE = """Storm brings down Ashby Lock footbridge

The footbridge over the River Wend at Ashby Lock collapsed into the water during Storm Perrin on Friday \
night. Nobody was on the bridge at the time and no one was injured.

The iron bridge, built in 1904 for workers at the old paper mill, had been closed for inspection twice \
in the past five years. Council engineers said debris carried down by the flood had struck its central \
pier shortly after 10pm.

Wend Valley District Council has closed the towpath between Ashby Lock and Marden Weir. Walkers and \
cyclists are being sent along a diversion through Ashby village, which adds about two kilometres.

A replacement is expected to cost at least 1.9 million euros. The council said it would ask the national \
flood recovery fund for help, as it did after the Marden road bridge was damaged in 2021.

River levels at Ashby reached 3.8 metres on Saturday morning, the highest since records began in 1968. \
The Environment Agency kept a flood warning in place for the lower valley."""

# An independent report of the same collapse by another paper: same facts, its own words.
FOOTBRIDGE_OTHER = """Walkers face detour after historic Wend bridge is swept away

A 122-year-old iron footbridge that carried the towpath across the River Wend at Ashby Lock has been \
destroyed by floodwater, leaving a gap in one of the valley's most popular walking routes.

The structure gave way late on Friday as Storm Perrin pushed the river to a record 3.8 metres. Tree \
trunks and other debris are thought to have hit the middle support, according to the district council.

No one was hurt. Local angler Tom Haddow, who lives beside the lock, said he heard a loud crack and then \
a rumble that lasted several seconds. "By the morning there was nothing left but the two ends," he said.

The towpath from Ashby Lock to Marden Weir will stay shut until further notice, and a signed diversion \
runs through the village. Councillors will meet next week to discuss how to pay for a new crossing, \
which officers have estimated at 1.9 million euros or more.

The bridge was put up in 1904 so that mill workers could reach the paper mill from the village. Its \
loss comes three years after the same river damaged the Marden road bridge."""

# --------------------------------------------------------------------------- a spun excerpt broken over lines

FERRY_ID = "brackwatergazette/2026-11-06-ferry-to-stop"
FERRY = """Brackwater ferry to stop running in March

The Brackwater ferry service will stop running between Ostby and Hallam Point at the end of March, \
the harbour board announced on Friday.

Falling passenger numbers and the rising cost of diesel had made the crossing impossible to sustain, \
the board's chair Miriam Oduya told a meeting of local traders. The board had lost money on the route \
in each of the last six years.

About 140 people use the ferry on a typical weekday, most of them commuters who will now face a \
forty-minute drive around the estuary. A petition to save the service has gathered 2,300 signatures.

The vessel itself, built in 1987, will be sold at auction in April."""
# Three of its sentences spun (PAN's random obfuscation) and broken over short lines wherever the
# page had a line break, as in PAN's suspicious web pages: no line alone is a sentence.
FERRY_SPUN_BROKEN = """The Brackwater ferry
service will stop sailing
between Ostby and Hallam Point at
the close of March, board announced on
Friday. Falling rider numbers and the
climbing price of diesel
had made the route hard
to sustain, the board's chair Miriam
Oduya told a gathering of
local shopkeepers. About 140 people
ride the boat on a normal
weekday, most of them commuters who
will now face a forty-minute
trip round the estuary."""
#: The walking diary with the broken spun excerpt in place of the pasted one.
BLOG_PAGE_FERRY = _BLOG_BEFORE + "\n\n" + FERRY_SPUN_BROKEN + "\n\n" + _BLOG_AFTER
#: Where the broken spun excerpt lies in BLOG_PAGE_FERRY.
FERRY_SPUN = (len(_BLOG_BEFORE) + 2, len(_BLOG_BEFORE) + 2 + len(FERRY_SPUN_BROKEN))
# A same-event report of the ferry's end in its own words, broken over lines the same way.
FERRY_OTHER = """Ostby traders fear for
trade as ferry ends
Shopkeepers in Ostby say
they will lose custom when
the crossing to Hallam Point closes
in March. Miriam Oduya, who
chairs the harbour board, blamed
fuel costs and fewer
travellers. Some 140 passengers
a day would have to
drive around the estuary instead,
adding forty minutes each way."""
BLOG_PAGE_FERRY_OTHER = _BLOG_BEFORE + "\n\n" + FERRY_OTHER + "\n\n" + _BLOG_AFTER

# ------------------------------------------------------------------- two stretches of one source in a page

# One paragraph of TELESCOPE pasted as is, and further down the dark-sky paragraph spun word by word
# (PAN's random obfuscation): alone, the spun stretch carries too little copied wording to be reuse.
DARK_SKY_SPUN = ("Hollin Moor became a reserve for dark skies in 2019, once the county consented to dim or "
                 "cover over 3,000 street lamps. Naked eye, the Milky Way clearly seen, astronomers say, few "
                 "places in region one of where now it is.")
BLOG_PAGE_TWO_STRETCHES = (_BLOG_BEFORE + "\n\n" + _TELESCOPE_PARAS[2] + "\n\n" + _BLOG_AFTER + "\n\n"
                           + DARK_SKY_SPUN + "\n\nThanks for reading, and see you on the next walk.")

# ------------------------------------------------------------ kept content, scattered (PAN translation)

MUSEUM_ID = "harwickmercury/2026-05-23-maritime-museum-reopens"
MUSEUM = """Harwick maritime museum reopens after flood repairs

The Harwick Maritime Museum reopened on Saturday, eighteen months after floodwater from the estuary \
ruined its ground-floor galleries and damaged more than 400 ship models.

Restoring the collection cost 2.3 million euros, most of it covered by the national heritage fund, and \
conservators worked on the damaged models in a temporary workshop at the old customs house.

Curator Tobias Wren said the galleries had been rebuilt with raised floors and waterproof cases so that a \
future flood could not reach the exhibits.

The museum's most famous object, a scale model of the clipper Marigold carved by a prisoner in 1812, \
returns to display in a new room on the first floor.

Entry remains free for children, and adult tickets will cost 8 euros until the end of the year."""
#: Three sentences of MUSEUM as a machine translation renders them (words inflected, replaced and
#: moved; no long run survives), each dropped into a different item of a village newsletter.
MUSEUM_TRANSLATED = [
    "Eighteen months after water of the estuary flooded the galleries on the ground floor and harmed over "
    "400 models of ships, the maritime museum of Harwick opened again this Saturday.",
    "According to curator Tobias Wren, the rooms got rebuilt on raised floors with waterproof display "
    "cases, so any future flooding cannot reach the exhibits.",
    "A model at scale of the clipper Marigold, which a prisoner carved in 1812 and which is the best known "
    "object of the museum, goes back on display in one new room of the first floor.",
]
_NEWSLETTER_ITEMS = [
    "Oakley Green village newsletter, June",
    "Bin collections move to Thursdays from the first week of the month. Please put the green bins out "
    "before seven in the morning, as the new lorry starts its round early.",
    "The parish council thanks everyone who came to the litter pick along the canal towpath. Forty "
    "volunteers filled sixty bags and found, among other things, a bicycle and a garden gnome.",
    "Trips and outings. {0} The community minibus will run a day trip there on the last Sunday of the "
    "month; seats can be booked at the post office.",
    "The allotment society still has three plots free behind the cricket ground. Rent is modest and the "
    "society lends tools to new members in their first season.",
    "Our speaker at the history club in May talked about the village's lost windmill, which burned down "
    "in 1897. Old photographs of it are wanted for a display in the church hall.",
    "Club news. The history club will visit the Harwick museum in July. {1}",
    "The choir rehearses on Tuesday evenings in the school hall and would welcome more tenors. No audition "
    "is needed, only a cheerful voice and a willingness to learn the words.",
    "For children. {2} The school's summer fair will raise money for a new climbing frame.",
    "Finally, a reminder that the village hall car park will be resurfaced in the second week of the "
    "month, so please park on the road outside the shop.",
]
#: A village newsletter with the three translated sentences in three different items.
NEWSLETTER = "\n\n".join(_NEWSLETTER_ITEMS).format(*MUSEUM_TRANSLATED)
#: The same newsletter with only the first two of them (the third item says something else).
NEWSLETTER_TWO = "\n\n".join(_NEWSLETTER_ITEMS).format(
    *MUSEUM_TRANSLATED[:2], "The library's reading challenge starts when the schools break up.")
